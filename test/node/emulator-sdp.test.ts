// The emulator's SDP answer, line by line, against what the service answers
// (captured answers of api.openai.com/v1/realtime/calls: `a=msid:realtimeapi audio`,
// opus + PCMU/PCMA only, no header extensions, no trickle). Clients written the
// usual way depend on some of these lines: `audio.srcObject = event.streams[0]`
// plays nothing when the answer's msid names no stream (`a=msid:- <track>`).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useEmulator } from './support/use-emulator.ts';

const ctx = useEmulator();

/** The answer SDP of one fresh call, and the streams its remote track came with. */
async function answerOfACall(): Promise<{ sdp: string; lines: string[]; streamIds: string[] }> {
  const { WrtcClient } = await import('./support/wrtc-client.ts');
  const { value } = await WrtcClient.mintToken(ctx.base);
  const c = ctx.client('realtime-channel');
  const streamIds: string[] = [];
  c.pc.addEventListener('track', (event) => streamIds.push(...(event as RTCTrackEvent).streams.map((s) => s.id)));
  await c.connect(ctx.base, value);
  const sdp = c.pc.remoteDescription!.sdp;
  return { sdp, lines: sdp.split('\r\n'), streamIds };
}

/** The lines of the m= section of one kind (`audio`, `application`). */
function section(lines: string[], kind: string): string[] {
  const start = lines.findIndex((l) => l.startsWith(`m=${kind} `));
  assert.ok(start >= 0, `no m=${kind} section`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('m='));
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('the SDP answer of /calls', () => {
  test("the audio track belongs to a stream, as the service's does (a=msid:realtimeapi <track>)", async () => {
    const { lines, streamIds } = await answerOfACall();
    const msid = section(lines, 'audio').filter((l) => l.startsWith('a=msid:'));
    assert.equal(msid.length, 1, `one a=msid line: ${msid.join(' | ')}`);
    const [streamId, trackId] = msid[0]!.slice('a=msid:'.length).split(' ');
    assert.notEqual(streamId, '-', 'a stream id, not "-" (no stream: event.streams is empty in the browser)');
    assert.equal(streamId, 'realtimeapi', "the service's stream id");
    assert.ok(trackId, 'a track id');
    assert.deepEqual(streamIds, ['realtimeapi'], "the client's ontrack gets the stream");
  });

  test('audio codecs: opus, PCMU and PCMA only, opus first with in-band FEC, as the service answers', async () => {
    const { lines } = await answerOfACall();
    const audio = section(lines, 'audio');
    const codecs = audio.filter((l) => l.startsWith('a=rtpmap:')).map((l) => l.split(' ')[1]);
    assert.deepEqual(codecs, ['opus/48000/2', 'PCMU/8000', 'PCMA/8000']);
    const opusType = audio
      .find((l) => l.includes(' opus/48000/2'))!
      .slice('a=rtpmap:'.length)
      .split(' ')[0];
    assert.equal(
      audio.find((l) => l.startsWith(`a=fmtp:${opusType} `)),
      `a=fmtp:${opusType} minptime=10;useinbandfec=1`,
    );
  });

  test('no RTP header extensions and no trickle option, as the service answers; the rest the service also says', async () => {
    const { lines } = await answerOfACall();
    assert.deepEqual(
      lines.filter((l) => l.startsWith('a=extmap:')),
      [],
      'no a=extmap lines',
    );
    assert.deepEqual(
      lines.filter((l) => l.startsWith('a=ice-options:')),
      [],
      'no a=ice-options',
    );
    const audio = section(lines, 'audio');
    const data = section(lines, 'application');
    for (const line of ['a=setup:active', 'a=sendrecv', 'a=rtcp-mux'])
      assert.ok(audio.includes(line), `audio has ${line}`);
    assert.ok(lines.includes('a=group:BUNDLE 0 1'), 'one bundle of audio and data');
    assert.ok(
      data.includes('a=setup:active') && data.includes('a=sctp-port:5000'),
      'data channel section as the service',
    );
    assert.ok(
      lines.some((l) => l.startsWith('a=candidate:') && l.includes(' udp ') && l.includes(' typ host')),
      'host UDP candidates',
    );
  });

  test('a call still carries audio both ways and events after the trimming (the answer is the local description)', async () => {
    const { WrtcClient } = await import('./support/wrtc-client.ts');
    const { value } = await WrtcClient.mintToken(ctx.base);
    const c = ctx.client();
    await c.connect(ctx.base, value);
    await c.next('session.created');
    c.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] },
    });
    c.send({ type: 'response.create' });
    await c.next('response.done', () => true, 20_000);
    await c.next('output_audio_buffer.stopped', () => true, 20_000);
    assert.ok(c.receivedLevels.filter((level) => level > 0.01).length > 20, 'the answer was heard');
  });
});
