import { unsafeCSS } from 'lit';

/**
 * Lit's `css` tag without its checks for interpolated values (this sheet has none), which saves their
 * error messages in the bundle. Still named `css`, so the build's minifier finds and minifies the sheet.
 */
export const css = (strings: TemplateStringsArray) => unsafeCSS(strings[0]);

/**
 * Everything visual is a custom property or a part: `:host` sets only
 * `display`, the real box is `part="base"`. Logical properties throughout,
 * so right-to-left languages mirror the layout by themselves.
 */
export const styles = css`
  :host {
    display: inline-block;
  }
  :host([hidden]) {
    display: none;
  }

  /* light-dark(): the second color when the page or the user prefers dark. */
  .base,
  .launcher {
    color-scheme: light dark;
    --_accent: var(--realtime-voice-accent, light-dark(#1d4ed8, #93c5fd));
    --_on-accent: var(--realtime-voice-on-accent, light-dark(#fff, #0b1220));
    --_danger: var(--realtime-voice-danger, light-dark(#b91c1c, #fca5a5));
    --_muted-text: var(--realtime-voice-muted-text, light-dark(#4b5563, #d1d5db));
    --_panel: var(--realtime-voice-panel, light-dark(#fff, #111827));
    --_user: var(--realtime-voice-user, light-dark(#dbeafe, #1e3a8a));
    --_radius: var(--realtime-voice-radius, 999px);
    --_focus: var(--realtime-voice-focus-ring, #f59e0b);
    --_offset: var(--realtime-voice-offset, 1.25rem);
    --_shadow: 0 4px 20px rgb(0 0 0 / 0.25);
  }

  .base {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--realtime-voice-gap, 0.5rem);
    padding: var(--realtime-voice-padding, 0);
    background: var(--realtime-voice-surface, transparent);
    color: var(--realtime-voice-text, inherit);
    font: var(--realtime-voice-font, inherit);
  }

  button,
  input,
  select {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    border-radius: var(--_radius);
    padding: 0.55em 1.1em;
    border: 2px solid var(--_accent);
    display: inline-flex;
    align-items: center;
    gap: 0.45em;
    line-height: 1.2;
  }
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  button:disabled,
  input:disabled {
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
  .talk {
    touch-action: none;
    user-select: none;
  }

  .dot {
    inline-size: 0.6em;
    block-size: 0.6em;
    border-radius: 50%;
    background: currentColor;
    opacity: 0.85;
  }
  .base[data-state='connecting'] .dot,
  .base[data-state='reconnecting'] .dot {
    animation: pulse 1s ease-in-out infinite alternate;
  }
  @keyframes pulse {
    from {
      opacity: 0.2;
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

  select,
  input {
    border: 1px solid var(--_muted-text);
    border-radius: 0.4em;
    padding: 0.35em 0.5em;
    background: var(--_panel);
    max-inline-size: 16rem;
  }

  @media (prefers-reduced-motion: reduce) {
    .base .dot {
      animation: none !important;
    }
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
