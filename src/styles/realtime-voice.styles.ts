import { css } from 'lit';

/**
 * Everything visual is a custom property or a part: `:host` sets only
 * `display`, the real box is `part="base"`.
 */
export const styles = css`
  :host {
    display: inline-block;
  }
  :host([hidden]) {
    display: none;
  }

  .base {
    --_accent: var(--realtime-voice-accent, #1d4ed8);
    --_on-accent: var(--realtime-voice-on-accent, #ffffff);
    --_danger: var(--realtime-voice-danger, #b91c1c);
    --_surface: var(--realtime-voice-surface, transparent);
    --_text: var(--realtime-voice-text, inherit);
    --_muted-text: var(--realtime-voice-muted-text, #4b5563);
    --_radius: var(--realtime-voice-radius, 999px);
    --_gap: var(--realtime-voice-gap, 0.5rem);
    --_focus: var(--realtime-voice-focus-ring, #f59e0b);

    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
    padding: var(--realtime-voice-padding, 0);
    background: var(--_surface);
    color: var(--_text);
    font: var(--realtime-voice-font, inherit);
  }

  button {
    font: inherit;
    cursor: pointer;
    border-radius: var(--_radius);
    padding: 0.55em 1.1em;
    border: 2px solid var(--_accent);
    display: inline-flex;
    align-items: center;
    gap: 0.45em;
    line-height: 1.2;
  }
  button:focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  button:disabled {
    cursor: default;
    opacity: 0.6;
  }

  .main {
    background: var(--_accent);
    color: var(--_on-accent);
    font-weight: 600;
  }
  .base[data-state='connected'] .main {
    background: var(--_danger);
    border-color: var(--_danger);
  }
  .secondary {
    background: transparent;
    color: var(--_accent);
  }
  .secondary[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_on-accent);
  }

  .dot {
    inline-size: 0.6em;
    block-size: 0.6em;
    border-radius: 50%;
    background: currentColor;
    opacity: 0.85;
  }
  .base[data-state='connecting'] .dot {
    animation: pulse 1s ease-in-out infinite alternate;
  }
  @media (prefers-reduced-motion: reduce) {
    .base[data-state='connecting'] .dot {
      animation: none;
    }
  }
  @keyframes pulse {
    from {
      opacity: 0.2;
    }
    to {
      opacity: 1;
    }
  }

  .status {
    margin: 0;
    flex-basis: 100%;
    color: var(--_muted-text);
    font-size: 0.9em;
  }
  .status[data-tone='error'] {
    color: var(--_danger);
  }

  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
