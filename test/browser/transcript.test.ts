import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { nextEvent, part, sleep, tokenUrl, until, useFakeService, voiceFixture } from '../support/harness.js';

function entries(el: Element): Array<{ role: string; text: string; final: string }> {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="message"]')].map((li) => ({
    role: li.dataset.role!,
    // The speaker's name is there for screen readers only.
    text: [...li.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent)
      .join('')
      .trim(),
    final: li.dataset.final!,
  }));
}

describe('live transcript and text input', () => {
  const fake = useFakeService();

  it('streams both sides into a polite live log, each item updated in place', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, transcript: '' });
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    const log = part(el, 'transcript')!;
    expect(log.getAttribute('role')).to.equal('log');
    expect(log.getAttribute('aria-live')).to.equal('polite');
    expect(log.getAttribute('aria-label')).to.equal('Transcript');

    call.emit({
      type: 'conversation.item.input_audio_transcription.delta',
      item_id: 'u1',
      content_index: 0,
      delta: 'What is ',
    });
    call.emit({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: 'u1',
      content_index: 0,
      transcript: 'What is the time?',
    });
    call.emit({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r1',
      item_id: 'a1',
      output_index: 0,
      content_index: 0,
      delta: 'It is ',
    });
    await until(() => entries(el).length === 2, 'two entries');
    expect(entries(el)[1]).to.deep.equal({ role: 'assistant', text: 'It is', final: 'false' });
    call.emit({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r1',
      item_id: 'a1',
      output_index: 0,
      content_index: 0,
      delta: 'noon.',
    });
    call.emit({
      type: 'response.output_audio_transcript.done',
      response_id: 'r1',
      item_id: 'a1',
      output_index: 0,
      content_index: 0,
      transcript: 'It is noon.',
    });
    await until(() => entries(el)[1]?.final === 'true', 'the final assistant text');
    expect(entries(el)).to.deep.equal([
      { role: 'user', text: 'What is the time?', final: 'true' },
      { role: 'assistant', text: 'It is noon.', final: 'true' },
    ]);
    // Who said what, for screen readers.
    expect(log.querySelector('[data-role="user"] .visually-hidden')!.textContent).to.contain('You');
    el.stop();
    // Kept after the call for reading; a new call starts a clean one.
    expect(entries(el)).to.have.length(2);
    await el.start();
    await el.updateComplete;
    expect(entries(el)).to.have.length(0);
    el.stop();
  });

  it('a barge-in cuts the assistant text to what was heard, and later pieces of it are dropped', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, transcript: '' });
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    const answer =
      'This answer is long enough that nobody could have heard all of it in well under one second of speech, surely not.';
    call.emit({ type: 'output_audio_buffer.started', response_id: 'r1' });
    call.emit({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r1',
      item_id: 'a1',
      output_index: 0,
      content_index: 0,
      delta: answer,
    });
    call.emit({
      type: 'response.output_audio_transcript.done',
      response_id: 'r1',
      item_id: 'a1',
      output_index: 0,
      content_index: 0,
      transcript: answer,
    });
    await until(() => entries(el)[0]?.final === 'true', 'the whole answer text');
    await sleep(700);
    const cut = nextEvent<CustomEvent>(el, 'realtime-transcript', 5000, (e) => e.detail.truncated === true);
    call.emit({ type: 'input_audio_buffer.speech_started', item_id: 'u2', audio_start_ms: 700 });
    call.emit({ type: 'output_audio_buffer.cleared', response_id: 'r1' });
    const { detail } = await cut;
    expect(detail.itemId).to.equal('a1');
    expect(detail.final).to.equal(true);
    // ~0.7 s heard at ~15 characters a second: a few words, ending in an ellipsis, cut at a word.
    expect(detail.text.length).to.be.within(4, 40);
    expect(detail.text.endsWith('…')).to.equal(true);
    expect(answer.startsWith(detail.text.slice(0, -1))).to.equal(true);
    await until(() => entries(el)[0]?.text === detail.text, 'the cut text on screen');
    call.emit({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r1',
      item_id: 'a1',
      output_index: 0,
      content_index: 0,
      delta: ' more',
    });
    await sleep(150);
    expect(entries(el)[0]!.text).to.equal(detail.text);
    el.stop();
  });

  it('typed messages go out as conversation.item.create + response.create; the box is disabled without a call', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, 'text-input': '', transcript: '' });
    const input = part<HTMLInputElement>(el, 'text-input')!;
    expect(input.disabled).to.equal(true);
    expect(input.getAttribute('aria-label')).to.equal('Message');
    expect(part<HTMLButtonElement>(el, 'send-button')!.disabled).to.equal(true);
    await el.start();
    await el.updateComplete;
    expect(input.disabled).to.equal(false);
    input.focus();
    await sendKeys({ type: 'Hello there' });
    await sendKeys({ press: 'Enter' });
    const call = fake.service.lastCall!;
    const created = await call.nextClientEvent('conversation.item.create');
    expect(created.item).to.deep.include({ type: 'message', role: 'user' });
    expect((created.item as { content: unknown[] }).content).to.deep.equal([
      { type: 'input_text', text: 'Hello there' },
    ]);
    await call.nextClientEvent('response.create');
    expect(input.value).to.equal('');
    // Blank messages are not sent.
    await sendKeys({ press: 'Enter' });
    await sleep(100);
    expect(call.received.filter((e) => e.type === 'conversation.item.create')).to.have.length(1);
    el.stop();
  });

  it('asks the service to transcribe the user when the session does not, and says so when a turn still goes untranscribed', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, transcript: '' });
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    // The fake's session.created has no audio.input.transcription, like a server that set none.
    const update = await call.nextClientEvent('session.update');
    const session = update.session as { audio: { input: { transcription: unknown } } };
    expect(session.audio.input.transcription).to.deep.equal({ model: 'gpt-4o-mini-transcribe' });

    const turn = (n: number, transcribed: boolean) => {
      call.emit({ type: 'input_audio_buffer.committed', item_id: `u${n}`, previous_item_id: null });
      if (transcribed)
        call.emit({
          type: 'conversation.item.input_audio_transcription.completed',
          item_id: `u${n}`,
          content_index: 0,
          transcript: `turn ${n}`,
        });
      call.emit({
        type: 'response.done',
        response: { id: `r${n}`, object: 'realtime.response', status: 'completed', output: [] },
      });
    };
    const notices = () =>
      entries(el)
        .filter((e) => e.role === 'notice')
        .map((e) => e.text);
    turn(1, true);
    turn(2, false); // its transcript may still come during the next answer…
    await until(() => entries(el).some((e) => e.text === 'turn 1'), 'the transcribed turn');
    expect(notices()).to.deep.equal([]);
    turn(3, false); // …it did not: said once, in the transcript
    turn(4, false);
    await until(() => notices().length > 0, 'the note');
    await sleep(100);
    expect(notices()).to.deep.equal([
      "The service sent no transcript of your speech (the server's session has no input transcription).",
    ]);
  });

  it('does not ask when the session already transcribes, when the server locked the field, or without transcript', async () => {
    fake.service.behaviour = { sessionCreated: false }; // each case sends its own session.created
    const cases: Array<[string, Record<string, string>, Record<string, unknown>]> = [
      [
        'a transcribing session',
        { 'token-url': tokenUrl().url, transcript: '' },
        { audio: { input: { transcription: { model: 'whisper-1' } } } },
      ],
      [
        'locked by the server',
        { 'token-url': tokenUrl({ locked: 'voice, transcription_model' }).url, transcript: '' },
        {},
      ],
      ['no transcript shown', { 'token-url': tokenUrl().url }, {}],
      ['the control: asked', { 'token-url': tokenUrl().url, transcript: '' }, {}],
    ];
    const asked: Record<string, boolean> = {};
    for (const [name, attrs, session] of cases) {
      const el = await voiceFixture(attrs);
      await el.start();
      const call = fake.service.lastCall!;
      await call.channel();
      call.emit({
        type: 'session.created',
        session: { id: 'sess_x', type: 'realtime', model: 'gpt-realtime', ...session },
      });
      el.sendText('hello');
      await call.nextClientEvent('response.create');
      // The element answers session.created after what the page had queued: give it a moment.
      await Promise.race([call.nextClientEvent('session.update'), sleep(500)]);
      asked[name] = call.received.some((e) => e.type === 'session.update');
      el.stop();
    }
    expect(asked).to.deep.equal({
      'a transcribing session': false,
      'locked by the server': false,
      'no transcript shown': false,
      'the control: asked': true,
    });
  });
});
