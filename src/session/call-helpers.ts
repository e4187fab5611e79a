import type { HistoryTurn } from '../events/details.js';
import { settingField } from '../events/session-settings.js';
import type { RealtimeServerEvent } from '../events/server-events.js';
import { loadPart, partUnavailable } from '../parts/load.js';
import type { Attempt } from './attempt.js';
import { RealtimeError } from './errors.js';
import { connectionLost } from './health.js';
import type { SessionView } from './session-view.js';
import type { RealtimeCallStats } from './call-stats.js';
import { signalingContext, signalingFor, warmKey, type Signaling } from './signaling.js';
import { isActive } from './state.js';
import type { WarmToken } from './warm-token.js';

/** Server events of a call kept for the call part while it loads (it sees each event of the call, in order). */
const MAX_EARLY_EVENTS = 500;

type CallPart = typeof import('../parts/call.js');

/** What the call part's work needs of the session. */
export type CallHelpersHost = Pick<
  SessionView,
  | 'options'
  | 'state'
  | 'attempt'
  | 'assistantSpeaking'
  | 'talking'
  | 'send'
  | 'interrupt'
  | 'applyMicrophone'
  | 'report'
  | 'fail'
  | 'transcript'
  | 'usage'
  | 'renew'
  | 'locked'
>;

/**
 * The call part's work for one session (src/parts/call.ts, fetched once, never awaited by the click):
 * per call, the transcripts, the tool calls, push-to-talk and the renewal timing, with the server events that came
 * before the part; across calls, the reconnection policy and the token fetched ahead. Without the part
 * a call still runs, without those, and the page hears why.
 */
export class CallHelpers {
  part?: CallPart;
  reconnection?: InstanceType<CallPart['Reconnection']>;
  warm?: WarmToken<Signaling>;
  /** Push-to-talk (a call is running, so the part is in by the time the talk button shows). */
  talk?: InstanceType<CallPart['PushToTalk']>;
  #transcripts?: InstanceType<CallPart['TranscriptTracker']>;
  #toolCalls?: InstanceType<CallPart['ToolCalls']>;
  #usage?: InstanceType<CallPart['UsageMeter']>;
  /** The page's session settings into each call's session (one for the session: a locked one is told once). */
  settings?: InstanceType<CallPart['SettingsSync']>;
  #attempt?: Attempt;
  #early: RealtimeServerEvent[] = [];
  /** The conversation so far (final turns), given back to a call that continues it. */
  history: HistoryTurn[] = [];
  /** The call the part's per-call watchers (screen, network path) were set up for: once each. */
  #watched?: Attempt;
  /** This call continues the conversation: the history goes back in once it is connected. */
  #continues = false;
  /** This call starts a conversation (nothing to continue): its usage totals start from zero too. */
  #newConversation = true;

  constructor(private readonly host: CallHelpersHost) {}

  load(): Promise<CallPart> {
    return loadPart('call', () => import('../parts/call.js'), this.host.options().partsUrl).then((part) => {
      if (!this.part) {
        this.part = part;
        this.reconnection = new part.Reconnection(() => this.host.options());
        this.warm = new part.WarmToken<Signaling>();
        this.#transcripts = new part.TranscriptTracker();
        this.talk = new part.PushToTalk(this.host);
        this.#usage = new part.UsageMeter();
        this.settings = new part.SettingsSync(this.host, settingField, RealtimeError);
      }
      return part;
    });
  }

  /**
   * Fetches a token ahead for the settings as they are, once the part is in: in token mode only (a proxy
   * or the page's own signaling has no token to fetch), and not while a call is under way.
   */
  warmUp(): void {
    const allowed = () => {
      const o = this.host.options();
      return o.tokenUrl && !o.connectUrl && !o.signaling && !isActive(this.host.state()) ? o : undefined;
    };
    if (!allowed()) return;
    // A part that cannot be fetched is only a missed head start: the click's call reports it.
    this.load().then(
      () => {
        const o = allowed();
        if (o)
          this.warm!.warm(warmKey(o), o.authorization, () => {
            const signaling = signalingFor(o);
            return signaling.prepare(signalingContext(o, new AbortController().signal)).then(() => signaling);
          });
      },
      () => {},
    );
  }

  /** The running call's quality, read by the call part (undefined without a call, or without the part). */
  async callStats(pc: RTCPeerConnection | undefined): Promise<RealtimeCallStats | undefined> {
    if (!pc || pc.connectionState === 'closed') return undefined;
    const part = await this.load().catch(() => undefined);
    return part?.readCallStats(pc);
  }

  /** The token fetched ahead for the settings as they are now, if one is (taken once). */
  takeWarm(): Promise<Signaling> | undefined {
    const o = this.host.options();
    return this.warm?.take(warmKey(o), o.authorization);
  }

  /**
   * A new call: its tool runner and transcripts start once the part is in. `continues`: it goes on with
   * the conversation so far (a reconnection, a renewal, a kept history); else that is forgotten.
   */
  begin(attempt: Attempt, continues: boolean): void {
    this.#attempt = attempt;
    this.#early = [];
    this.#toolCalls = undefined;
    this.#continues = continues;
    this.#newConversation = !continues || !this.history.length;
    if (!continues) this.history = [];
    this.load().then(
      () => this.#start(attempt),
      // The call goes on without transcripts, tools, push-to-talk, reconnection and the disconnected grace.
      (error: unknown) => this.host.report(partUnavailable('call', error)),
    );
  }

  /**
   * The call is connected (and the part in): the screen stays on, its network path is watched through
   * `disconnected` spells (a grace period), and a continued conversation goes back
   * in before anything else is said. Not earlier: the page's sign-in was only just seen (a new user's
   * history is cleared, see the history part), and the items wait in the send queue behind the session's
   * first update.
   */
  connected(attempt: Attempt): void {
    // Not a call a listener of its `connected` ended at once (disposed: its peer connection is gone).
    if (!this.part || attempt !== this.#attempt || attempt.disposed || attempt === this.#watched) return;
    this.#watched = attempt;
    this.part.keepScreenAwake(attempt.abort.signal);
    this.part.watchDisconnects(attempt, attempt.pc!, () => this.host.fail(attempt, connectionLost()));
    if (this.#continues) for (const event of this.part.replayEvents(this.history)) this.host.send(event);
    this.#continues = false;
  }

  /** A server event of the call: handled now, or kept until the part is in. */
  event(attempt: Attempt, event: RealtimeServerEvent): void {
    if (this.#toolCalls) this.#handle(attempt, event);
    else if (this.#early.length < MAX_EARLY_EVENTS) this.#early.push(event);
  }

  #start(attempt: Attempt): void {
    if (attempt !== this.#attempt || attempt.disposed) return;
    this.#transcripts!.reset();
    this.#usage!.begin(this.#newConversation);
    this.#toolCalls = new this.part!.ToolCalls(
      (event) => this.#attempt === attempt && this.host.send(event),
      this.host.report,
      RealtimeError,
      attempt.abort.signal,
    );
    if (this.host.state() === 'connected') this.connected(attempt);
    for (const event of this.#early.splice(0)) this.#handle(attempt, event);
  }

  /** Transcripts, renewal timing, tool calls. */
  #handle(attempt: Attempt, event: RealtimeServerEvent): void {
    if (attempt !== this.#attempt || attempt.disposed) return;
    const transcript = this.#transcripts!.handle(event);
    if (transcript && !transcript.itemId.startsWith(this.part!.REPLAYED_ID_PREFIX)) {
      if (transcript.final) this.history = this.part!.remember(this.history, transcript, this.host.options());
      this.host.transcript(transcript);
    }
    if (event.type === 'session.created') {
      const expiresAt = (event as { session?: { expires_at?: number } }).session?.expires_at;
      this.reconnection!.scheduleRenewal(
        attempt,
        expiresAt,
        () => this.host.assistantSpeaking() || this.host.talking(),
        () => this.host.renew(),
      );
    }
    this.settings!.handle(event);
    const usage = this.#usage!.handle(event);
    if (usage) this.host.usage(usage);
    const tools = this.host.options().tools;
    if (tools?.length) this.#toolCalls!.handle(event, tools);
  }
}
