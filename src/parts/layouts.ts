/**
 * The layouts part (`realtime-voice.layouts.js`): `compact` (one round button) and `floating` (a
 * corner launcher card opening a panel; on a phone-sized screen, a bottom sheet). Until it is in, the
 * widget shows its inline layout, which works.
 */
import { layoutsWords } from '../i18n/en-layouts.js';
import type { PartFactory } from './kit.js';

/** Narrower than this, the floating panel opens as a bottom sheet over the page, and is modal. */
const SHEET = '(max-width: 480px)';
const FOCUSABLE =
  'button:not([disabled]),input:not([disabled]),select:not([disabled]),textarea:not([disabled]),a[href],[tabindex]:not([tabindex="-1"])';

const layouts: PartFactory = ({ html, nothing, css }, host) => {
  const el = host.element;
  const root = () => el.renderRoot as ShadowRoot;
  const panel = () => root().querySelector<HTMLElement>('.base');
  const sheet = () => matchMedia(SHEET).matches;
  /** The launcher opened the panel: focus goes in once it is drawn (not when the page sets `open`). */
  let focusIn = false;

  const toggle = () => {
    el.open = !el.open;
    focusIn = el.open;
  };
  /** Closed from inside the panel (Escape, the close button): focus goes back to the launcher. */
  const close = () => {
    el.open = false;
    void el.updateComplete.then(() => root().querySelector<HTMLElement>('.launcher')?.focus());
  };

  /** The panel's focusable controls in order, the page's slotted ones included. */
  const focusables = (): HTMLElement[] => {
    const found: HTMLElement[] = [];
    panel()
      ?.querySelectorAll<HTMLElement>(`${FOCUSABLE},slot`)
      .forEach((node) => {
        if (!(node instanceof HTMLSlotElement)) return found.push(node);
        for (const slotted of node.assignedElements({ flatten: true }) as HTMLElement[]) {
          if (slotted.matches(FOCUSABLE)) found.push(slotted);
          found.push(...slotted.querySelectorAll<HTMLElement>(FOCUSABLE));
        }
      });
    return found;
  };

  /**
   * The on-screen keyboard covers the bottom of the layout viewport, where the sheet is fixed (iOS,
   * and Android with a resizes-visual viewport): the sheet rises by what the visual viewport lost.
   */
  const viewport = globalThis.visualViewport;
  const followKeyboard = () => {
    const base = panel();
    if (!viewport || !base) return;
    const covered = Math.max(0, Math.round(innerHeight - viewport.height - viewport.offsetTop));
    base.style.setProperty('--_keyboard', `${covered}px`);
  };
  let watching = false;
  const watchKeyboard = (on: boolean) => {
    if (on === watching) return;
    watching = on;
    for (const type of ['resize', 'scroll'])
      viewport?.[on ? 'addEventListener' : 'removeEventListener'](type, followKeyboard);
  };

  const avatar = () =>
    html`<span part="avatar" class="avatar"><slot name="avatar"><span class="dot" aria-hidden="true"></span></slot></span>`;
  const title = (s: ReturnType<typeof host.words>) =>
    html`<span part="title" class="title"><slot name="title">${s.talkToUs ?? layoutsWords.talkToUs}</slot></span>`;

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

      /* floating: a launcher card in the corner and a panel above it. */
      .launcher,
      :host([layout='floating']) .base {
        position: fixed;
        inset-inline-end: var(--_offset);
        z-index: 2147483000;
        box-shadow: var(--_shadow);
        color: var(--realtime-voice-text, light-dark(#111827, #f3f4f6));
        background: var(--realtime-voice-surface, var(--_panel));
      }
      .launcher {
        inset-block-end: calc(var(--_offset) + env(safe-area-inset-bottom, 0px));
        max-inline-size: calc(100vw - 2 * var(--_offset));
        padding-block: 0.5rem;
        padding-inline: 0.5rem 1.1rem;
        gap: 0.7rem;
        border: 1px solid color-mix(in srgb, var(--_muted-text) 30%, transparent);
        border-radius: 1.25rem;
        text-align: start;
      }
      .avatar {
        flex: none;
        display: grid;
        place-items: center;
        inline-size: 2.5rem;
        block-size: 2.5rem;
        border-radius: 50%;
        overflow: hidden;
        background: var(--_accent);
        color: var(--_on-accent);
      }
      .avatar ::slotted(img) {
        inline-size: 100%;
        block-size: 100%;
        object-fit: cover;
      }
      .card-text {
        display: grid;
        min-inline-size: 0;
      }
      .title {
        font-weight: 600;
      }
      .launcher-status {
        font-size: 0.85em;
        color: var(--_muted-text);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      /* Open: the launcher is a round button that folds the panel away. */
      .launcher[aria-expanded='true'] {
        inline-size: 3.5rem;
        block-size: 3.5rem;
        padding: 0;
        justify-content: center;
        border-radius: 50%;
        background: var(--_accent);
        color: var(--_on-accent);
      }
      .chevron {
        inline-size: 0.7rem;
        block-size: 0.7rem;
        border: solid currentColor;
        border-width: 0 3px 3px 0;
        transform: translateY(-25%) rotate(45deg);
      }
      :host([layout='floating']) .base {
        inset-block-end: calc(var(--_offset) + 4.5rem + env(safe-area-inset-bottom, 0px));
        inline-size: min(22rem, calc(100vw - 2 * var(--_offset)));
        max-block-size: calc(100dvh - 7rem);
        overflow-y: auto;
        box-sizing: border-box;
        padding: var(--realtime-voice-padding, 1rem);
        border-radius: 1rem;
      }
      .header {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        flex-basis: 100%;
      }
      .header .title {
        flex: 1;
      }
      .close {
        padding: 0;
        justify-content: center;
        font-size: 1.4em;
        border-color: transparent;
        background: transparent;
      }

      /* A phone: the panel is a bottom sheet across the screen, above the keyboard and the safe areas. */
      @media (max-width: 480px) {
        :host([layout='floating']) .base {
          inset-inline: 0;
          inset-block-end: var(--_keyboard, 0px);
          inline-size: auto;
          max-block-size: calc(100dvh - var(--_keyboard, 0px) - 2rem);
          border-radius: 1rem 1rem 0 0;
          padding-top: 1rem;
          padding-bottom: calc(1rem + env(safe-area-inset-bottom, 0px));
          padding-left: max(1rem, env(safe-area-inset-left, 0px));
          padding-right: max(1rem, env(safe-area-inset-right, 0px));
        }
        :host([layout='floating'][open]) .launcher {
          display: none;
        }
      }
      @media (forced-colors: active) {
        .launcher,
        :host([layout='floating']) .base {
          border: 1px solid CanvasText;
        }
      }
    `,
    header: (s) =>
      el.layout === 'floating'
        ? html`<div part="header" class="header">
            ${avatar()}${title(s)}
            <button part="close-button" class="close secondary" type="button" aria-label=${s.close ?? layoutsWords.close} @click=${close}>×</button>
          </div>`
        : el.layout === 'compact'
          ? nothing
          : undefined,
    render: (s, content) => {
      if (el.layout !== 'floating') return content;
      // The launcher takes the panel's direction, so both sit in the same (inline-end) corner.
      const dir = host.dir() ?? nothing;
      const status = host.active() || el.state === 'error' ? host.status() : '';
      return html`${el.open ? content : nothing}
        <button part="launcher" class="launcher" type="button" dir=${dir} aria-expanded=${el.open ? 'true' : 'false'} aria-label=${el.open ? (s.close ?? layoutsWords.close) : nothing} @click=${toggle}>
          ${
            el.open
              ? html`<span class="chevron" aria-hidden="true"></span>`
              : html`${avatar()}<span class="card-text">${title(s)}${status ? html`<span part="launcher-status" class="launcher-status" dir="auto">${status}</span>` : nothing}</span>`
          }
        </button>`;
    },
    /** Escape closes the floating panel; Tab stays inside it while it is a (modal) bottom sheet. */
    keydown: (event) => {
      if (el.layout !== 'floating') return;
      if (event.key === 'Escape') return close();
      if (event.key !== 'Tab' || !sheet()) return;
      const list = focusables();
      const active = root().activeElement ?? document.activeElement;
      const edge = event.shiftKey ? list[0] : list.at(-1);
      if (!edge || active !== edge) return;
      event.preventDefault();
      (event.shiftKey ? list.at(-1) : list[0])!.focus();
    },
    updated: () => {
      const shown = el.layout === 'floating' && el.open;
      watchKeyboard(shown);
      if (!shown) return;
      panel()?.setAttribute('aria-modal', sheet() ? 'true' : 'false');
      followKeyboard();
      if (focusIn) root().querySelector<HTMLElement>('.main')?.focus();
      focusIn = false;
    },
    disconnected: () => watchKeyboard(false),
    connected: () => el.open && el.layout === 'floating' && watchKeyboard(true),
  };
};
export default layouts;
