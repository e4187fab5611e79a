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
    max-inline-size: 100%;
  }
  :host([hidden]) {
    display: none;
  }

  /*
   * light-dark(): the second color in a dark color scheme. Inline and compact, the widget sits on the page,
   * so it takes the page's color-scheme (a page declaring \`color-scheme: light dark\` gets dark under a dark
   * preference); the floating launcher and panel are surfaces of their own and follow the user's preference.
   * \`theme="light"\` or \`"dark"\` decides for all three.
   */
  .base,
  .launcher {
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
    --_listening: var(--realtime-voice-listening, light-dark(#15803d, #4ade80));
    --_thinking: var(--realtime-voice-thinking, light-dark(#7c3aed, #c4b5fd));
    --_connecting: var(--realtime-voice-connecting, light-dark(#b45309, #fcd34d));
  }
  :host([layout='floating']) :is(.base, .launcher) {
    color-scheme: light dark;
  }
  :host([theme='light']) :is(.base, .launcher) {
    color-scheme: light;
  }
  :host([theme='dark']) :is(.base, .launcher) {
    color-scheme: dark;
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
  /* Touch targets of at least 44 × 44 px (WCAG 2.5.5), whatever the font size. */
  button,
  select,
  input {
    min-block-size: 44px;
  }
  button {
    min-inline-size: 44px;
    transition:
      background-color 0.2s,
      color 0.2s,
      border-color 0.2s;
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
  .base[data-activity='thinking'] .dot {
    animation: pulse 0.6s ease-in-out infinite alternate;
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
  /* The state's color, beside the words that say it (color is never the only sign). */
  .base:not([data-state='idle'], [data-state='closed']) #status::before {
    content: '';
    display: inline-block;
    inline-size: 0.55em;
    block-size: 0.55em;
    margin-inline-end: 0.4em;
    border-radius: 50%;
    background: var(--_state, transparent);
  }
  .base:is([data-state='connecting'], [data-state='reconnecting']) {
    --_state: var(--_connecting);
  }
  .base[data-state='connected'] {
    --_state: var(--_listening);
  }
  .base[data-activity='thinking'] {
    --_state: var(--_thinking);
  }
  .base[data-activity='assistant-speaking'] {
    --_state: var(--_accent);
  }
  .base[data-state='error'] {
    --_state: var(--_danger);
  }

  select,
  input {
    border: 1px solid var(--_muted-text);
    border-radius: 0.4em;
    padding: 0.35em 0.5em;
    background: var(--_panel);
    max-inline-size: min(16rem, 100%);
    min-inline-size: 0;
  }

  @media (prefers-reduced-motion: reduce) {
    * {
      animation: none !important;
      transition: none !important;
    }
  }
  /* Windows high contrast and the like: system colors, and the state dot kept visible. */
  @media (forced-colors: active) {
    .base {
      --_state: CanvasText !important;
    }
    .dot,
    #status::before {
      forced-color-adjust: none;
      background: CanvasText;
    }
    .secondary[aria-pressed='true'] {
      forced-color-adjust: none;
      background: Highlight;
      color: HighlightText;
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
