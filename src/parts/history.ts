/**
 * The history part (`realtime-voice.history.js`), asked for by `persist`: keeps the conversation's
 * turns in sessionStorage (`persist`, this tab) or localStorage (`persist="local"`), so that after a
 * reload or on another page of the same origin the transcript shows again before any call and the
 * next call starts with the earlier turns (the session gives them back, see session/history.ts).
 *
 * What is stored: the turns' text, when the last one was said, and who was signed in (the `sub` of a
 * JWT sent as the page's `authorization`, when it is one). Never a token, the instructions, or the
 * page's sign-in itself. A kept conversation is forgotten after `history-minutes` without a new turn,
 * when a different user signs in, when the page's server answers 401, and on clearHistory().
 */
import type { HistoryTurn } from '../events/details.js';
import type { PartFactory } from './kit.js';

/** The stored shape; `v` changes when it does (an old shape is dropped, not misread). */
interface Stored {
  v: 1;
  /** When the last turn was said (ms since the epoch). */
  at: number;
  /** Who was signed in, when the page's sign-in told (see signedIn). */
  who?: string;
  turns: HistoryTurn[];
}

/**
 * Who a sign-in value names: the issuer and subject of a JWT. Any other value (an opaque token, a
 * single-use ticket) names nobody that can be compared: a page signing out such a user calls
 * clearHistory().
 */
export function signedIn(value: string | undefined): string | undefined {
  const jwt = /^(?:bearer\s+)?[\w-]+\.([\w-]+)\.[\w-]*$/i.exec(value?.trim() ?? '')?.[1];
  if (!jwt) return undefined;
  try {
    const claims = JSON.parse(atob(jwt.replace(/-/g, '+').replace(/_/g, '/'))) as { iss?: unknown; sub?: unknown };
    return typeof claims.sub === 'string' ? `${String(claims.iss ?? '')} ${claims.sub}` : undefined;
  } catch {
    return undefined;
  }
}

const history: PartFactory = (_kit, host) => {
  const el = host.element;
  /** The store, or undefined where the browser refuses storage (private modes, blocked cookies). */
  const store = (): Storage | undefined => {
    try {
      return el.persist === 'local' ? localStorage : sessionStorage;
    } catch {
      return undefined;
    }
  };
  const key = () => `realtime-voice:history:${el.id || el.tokenUrl || el.connectUrl || 'default'}`;
  let who: string | undefined = typeof el.authorization === 'string' ? signedIn(el.authorization) : undefined;

  const read = (): Stored | undefined => {
    try {
      const stored = JSON.parse(store()?.getItem(key()) ?? 'null') as Stored | null;
      return stored?.v === 1 && Array.isArray(stored.turns) ? stored : undefined;
    } catch {
      return undefined;
    }
  };
  const forget = () => {
    try {
      store()?.removeItem(key());
    } catch {
      // storage refused: nothing was kept either
    }
  };
  const save = () => {
    const turns = el.session.history;
    if (!turns.length) return forget();
    const stored: Stored = { v: 1, at: Date.now(), turns: [...turns], ...(who ? { who } : {}) };
    try {
      store()?.setItem(key(), JSON.stringify(stored));
    } catch {
      // full or refused: the conversation still goes on, it is just not kept
    }
  };

  // As the element upgrades: an earlier conversation of this widget, unless it went stale or was someone else's.
  const stored = read();
  const stale = stored && Date.now() - stored.at > el.historyMinutes * 60_000;
  const someoneElse = stored?.who !== undefined && who !== undefined && stored.who !== who;
  if (stale || someoneElse) forget();
  else if (stored?.turns.length && !el.session.history.length) {
    who ??= stored.who;
    void el.session.restoreHistory(stored.turns);
  }

  return {
    transcript: (detail) => {
      if (detail.final && !detail.restored) save();
    },
    authorized: (value) => {
      const now = signedIn(value);
      if (now && who && now !== who) el.clearHistory();
      if (now) who = now;
    },
    state: (next) => {
      // The page's server no longer knows this user: what was said is not for the next one.
      if (next === 'error' && el.error?.status === 401) el.clearHistory();
    },
    serverEvent: (event) => {
      // A user turn is kept only as its transcript. The transcript part asks for one when the session has
      // none (UserTranscription); without a transcript shown, this does, with the same model. (Not by
      // importing UserTranscription: two parts sharing a module would make it a file of its own.)
      const session = (event as { session?: { audio?: { input?: { transcription?: unknown } } } }).session;
      if (event.type !== 'session.created' || el.transcript || session?.audio?.input?.transcription) return;
      if (!el.session.lockedFields.includes('transcription_model'))
        el.updateSession({ audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' } } } });
    },
    historyCleared: forget,
  };
};
export default history;
