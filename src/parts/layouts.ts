/**
 * The layouts part (`realtime-voice.layouts.js`): `compact` (one round button) and `floating` (a
 * corner launcher opening a panel). Until it is in, the widget shows its inline layout, which works.
 */
import type { PartFactory } from './kit.js';

const layouts: PartFactory = ({ html, nothing, css }, host) => {
  const el = host.element;
  const toggle = () => (el.open = !el.open);
  return {
    styles: css`
      :host([layout='floating']) {
        display: contents;
      }
      /* compact: one round button; the words stay for screen readers. */
      :host([layout='compact']) .main {
        inline-size: 3rem;
        block-size: 3rem;
        padding: 0;
        justify-content: center;
      }
      :host([layout='compact']) .dot,
      .launcher .dot {
        inline-size: 1rem;
        block-size: 1rem;
      }

      /* floating: a launcher in the corner and a panel above it. */
      .launcher {
        position: fixed;
        inset-block-end: var(--_offset);
        inset-inline-end: var(--_offset);
        z-index: 2147483000;
        inline-size: 3.5rem;
        block-size: 3.5rem;
        padding: 0;
        justify-content: center;
        background: var(--_accent);
        color: var(--_on-accent);
        box-shadow: var(--_shadow);
      }
      :host([layout='floating']) .base {
        position: fixed;
        inset-block-end: calc(var(--_offset) + 4.5rem);
        inset-inline-end: var(--_offset);
        z-index: 2147483000;
        inline-size: min(22rem, calc(100vw - 2 * var(--_offset)));
        padding: var(--realtime-voice-padding, 1rem);
        background: var(--realtime-voice-surface, var(--_panel));
        border-radius: 1rem;
        box-shadow: var(--_shadow);
      }
    `,
    render: (s, panel) => {
      if (el.layout !== 'floating') return panel;
      // The launcher takes the panel's direction, so both sit in the same (inline-end) corner.
      const dir = host.dir() ?? nothing;
      return html`${el.open ? panel : nothing}
        <button part="launcher" class="launcher" type="button" dir=${dir} aria-expanded=${el.open ? 'true' : 'false'} aria-label=${el.open ? s.close : s.open} @click=${toggle}>
          <span class="dot" aria-hidden="true"></span>
        </button>`;
    },
    /** Escape closes the floating panel and gives focus back to the launcher. */
    keydown: (event) => {
      if (event.key !== 'Escape' || el.layout !== 'floating') return;
      el.open = false;
      void el.updateComplete.then(() => el.renderRoot.querySelector<HTMLElement>('.launcher')?.focus());
    },
  };
};
export default layouts;
