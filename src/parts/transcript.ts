/**
 * The transcript part (`realtime-voice.transcript.js`): the live transcript of both sides, and the
 * text box to type to the assistant.
 */
import { UserTranscription } from '../session/user-transcription.js';
import { TranscriptLog } from '../ui/transcript-log.js';
import { transcriptWords } from '../i18n/en-transcript.js';
import { markdown, originsOf } from '../ui/markdown.js';
import type { PartFactory } from './kit.js';

const transcript: PartFactory = ({ html, nothing, css }, host) => {
  const el = host.element;
  const log = new TranscriptLog();
  // A conversation given back before this part was in (persist, a reconnection): it shows at once.
  for (const { role, itemId, text, truncated } of el.session.history)
    log.apply({ role, itemId, text, delta: text, final: true, truncated, restored: true });
  const userTranscription = new UserTranscription();
  let live = false;

  /** Keeps the newest entry in view unless the reader scrolled up. */
  const scroll = () => {
    const list = el.renderRoot.querySelector('.transcript');
    if (list && list.scrollHeight - list.scrollTop - list.clientHeight < 80) list.scrollTop = list.scrollHeight;
  };

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('message') as HTMLInputElement;
    const text = input.value.trim();
    if (text && el.sendText(text)) input.value = '';
  };

  /** The words in effect, with this part's English. */
  const words = (given = host.words()) => ({ ...transcriptWords, ...given });
  type TranscriptWords = ReturnType<typeof words>;

  /** `link-origins` as origins, parsed again only when the attribute changes. */
  let origins = { list: '', set: new Set<string>() };
  const allowed = () =>
    origins.list === el.linkOrigins
      ? origins.set
      : (origins = { list: el.linkOrigins, set: originsOf(el.linkOrigins) }).set;
  /** The assistant's words as markdown (src/ui/markdown.ts: text bindings only); the user's as typed or said. */
  const wordsOf = (e: { role: string; text: string }) =>
    e.role === 'assistant' ? markdown(e.text, html, allowed()) : e.text;

  /** Tool calls by call id (their names, for the row that says they ended). */
  const tools = new Map<string, string>();
  /**
   * A tool call shows as a row: "Working on it: get_weather…" when the model calls it, then done or
   * failed when its output goes into the conversation (the service echoes the page's item).
   */
  const toolRow = (event: { type: string }): boolean => {
    const e = event as { call_id?: string; name?: string; item?: { type?: string; call_id?: string; output?: string } };
    const s = words();
    const say = (text: string, name: string) => text.replace('{tool}', name);
    if (event.type === 'response.function_call_arguments.done' && e.call_id && e.name) {
      tools.set(e.call_id, e.name);
      log.tool(`tool-${e.call_id}`, say(s.toolRunning, e.name), false);
      return true;
    }
    const id = e.item?.call_id;
    if (!event.type.startsWith('conversation.item.') || e.item?.type !== 'function_call_output' || !id) return false;
    const name = tools.get(id);
    if (!name) return false;
    tools.delete(id);
    const failed = /^\s*\{\s*"error"\s*:/.test(e.item.output ?? '');
    log.tool(`tool-${id}`, say(failed ? s.toolFailed : s.toolDone, name), true);
    return true;
  };

  const renderLog = (s: TranscriptWords) =>
    html`<div part="transcript" class="transcript" role="log" aria-live="polite" aria-label=${s.transcript}>
      ${log.entries.map(
        // dir="auto": each entry reads in the direction of its own words (English quotes in an Arabic widget). The
        // speaker's label, in the UI's language, has a dir of its own, which takes it out of that decision.
        (
          e,
        ) => html`<p part="message ${e.role}" class="message" dir="auto" data-role=${e.role} data-final=${e.final ? 'true' : 'false'}>
          ${e.role === 'notice' || e.role === 'tool' ? nothing : html`<span class="visually-hidden" dir="auto">${e.role === 'user' ? s.you : s.assistant}: </span>`}${wordsOf(e)}
        </p>`,
      )}
    </div>`;

  const renderForm = (s: TranscriptWords) =>
    html`<form part="text-form" class="text-form" @submit=${onSubmit}>
      <input part="text-input" name="message" dir="auto" type="text" autocomplete="off" aria-label=${s.message} placeholder=${s.typeHere} ?disabled=${!live} />
      <button part="send-button" class="secondary" type="submit" ?disabled=${!live}>${s.send}</button>
    </form>`;

  return {
    styles: css`
      .transcript {
        flex-basis: 100%;
        margin: 0;
        padding: 0.5rem;
        max-block-size: var(--realtime-voice-transcript-height, 16rem);
        overflow-y: auto;
        display: flex;
        flex-direction: column;
        gap: 0.4rem;
        background: var(--_panel);
        border-radius: 0.6rem;
      }
      /* Kept in the page while empty: a live region must exist before its first words. */
      .transcript:not(:has(.message)) {
        padding: 0;
      }
      .message {
        margin: 0;
        max-inline-size: 85%;
        padding: 0.4em 0.7em;
        border-radius: 0.8em;
        align-self: flex-start;
        border: 1px solid color-mix(in srgb, var(--_muted-text) 35%, transparent);
        overflow-wrap: anywhere;
      }
      .message[data-role='user'] {
        align-self: flex-end;
        background: var(--_user);
      }
      .md-p {
        display: block;
      }
      .md-p + .md-p,
      .message ul,
      .message ol {
        margin-block: 0.4em 0;
      }
      .message ul,
      .message ol {
        padding-inline-start: 1.3em;
      }
      .message code {
        font-family: ui-monospace, monospace;
        font-size: 0.92em;
        padding: 0 0.25em;
        border-radius: 0.3em;
        background: color-mix(in srgb, currentColor 10%, transparent);
      }
      .message a {
        color: inherit;
        text-decoration: underline;
      }
      .message[data-role='tool'] {
        align-self: flex-start;
        border-style: dashed;
        font-size: 0.85em;
        color: var(--_muted-text);
      }
      .message[data-role='notice'] {
        align-self: center;
        border: none;
        font-size: 0.85em;
        color: var(--_muted-text);
      }
      .text-form {
        display: flex;
        gap: 0.4rem;
        flex-basis: 100%;
      }
      /* Firefox sizes a text input by its size attribute: without a width it pushes the form off a phone. */
      .text-form {
        min-inline-size: 0;
      }
      .text-form input {
        flex: 1 1 6rem;
        inline-size: 6rem;
        max-inline-size: none;
      }
      /* Empty, dir="auto" resolves to left to right: the placeholder takes the widget's direction instead. */
      .text-form input:placeholder-shown {
        direction: inherit;
      }
    `,
    render: (given) => {
      if (el.layout === 'compact') return undefined;
      const s = words(given);
      live = el.state === 'connected';
      return html`${el.transcript ? renderLog(s) : nothing}${el.textInput ? renderForm(s) : nothing}`;
    },
    // A new call clears the transcript, unless it goes on with the conversation (persist).
    starting: () => host.active() || el.persist !== null || log.clear(),
    historyCleared: () => log.clear(),
    state: (next, previous) => {
      if (next === 'connected' && previous === 'reconnecting') log.notice(host.words().restarted);
    },
    transcript: (detail) => {
      log.apply(detail);
      el.requestUpdate();
    },
    serverEvent: (event) => {
      if (!el.transcript) return;
      if (toolRow(event)) el.requestUpdate();
      const { send, missing } = userTranscription.onEvent(event, el.session.lockedFields);
      if (send) el.session.send(send);
      if (missing) {
        log.notice(words().noUserTranscript);
        el.requestUpdate();
      }
    },
    updated: () => log.entries.length && el.transcript && scroll(),
  };
};
export default transcript;
