// Call length (issue 19, item 4): the reference server hangs up calls made through /connect at
// MAX_CALL_SECONDS and after IDLE_CALL_SECONDS without conversation, with the service's hang-up
// endpoint. Real parts only: the emulator, real WebRTC calls (wrtc), a real HTTP server; that a
// call really ended is read from the emulator's side (its Call closed, gone from its calls).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Call } from '../../emulator/src/call.ts';
import { connectCall, quotaServer, until, withFault, type QuotaServer } from './support/quota-server.ts';
import { useEmulator } from './support/use-emulator.ts';
import { sleep } from './support/wrtc-client.ts';

const ctx = useEmulator();
const servers: QuotaServer[] = [];
after(() => servers.forEach((s) => s.close()));

async function serve(
  env: Record<string, string>,
  provider?: Parameters<typeof quotaServer>[0]['provider'],
): Promise<QuotaServer> {
  const server = await quotaServer({ emulatorBase: ctx.base, env, provider });
  servers.push(server);
  return server;
}

/** A call through the server, and the emulator's own object for it. */
async function open(
  server: QuotaServer,
): Promise<{ call: Call; startedAt: number; client: ReturnType<typeof ctx.client> }> {
  const client = ctx.client();
  const answer = await connectCall(server.base, client, 'alice');
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  const startedAt = Date.now();
  const call = ctx.emulator.calls.get(client.callId);
  assert.ok(call, 'the emulator has the call');
  return { call, startedAt, client };
}

async function closedAt(call: Call, ms: number): Promise<number> {
  await until(() => call.closed, ms, "the emulator's call to close");
  return Date.now();
}

describe('call length', () => {
  test('MAX_CALL_SECONDS: the server hangs the call up when it is reached, not before', async () => {
    const server = await serve({ MAX_CALL_SECONDS: '2' });
    const { call, startedAt, client } = await open(server);
    // Keep the conversation alive meanwhile: a max length is not an idle timeout.
    client.send({ type: 'response.create' });
    await sleep(1500);
    assert.equal(call.closed, false, 'still open before MAX_CALL_SECONDS');
    // The upper bounds leave room for a loaded machine (every Node test file runs at once in npm test).
    const elapsed = (await closedAt(call, 5000)) - startedAt;
    assert.ok(elapsed >= 1900 && elapsed < 4500, `hung up after ${elapsed} ms`);
    assert.equal(ctx.emulator.calls.has(client.callId), false, 'the emulator no longer has the call');
    await until(() => client.channel.readyState === 'closed', 3000, "the client's data channel to close");
    await until(() => server.quotas.openCalls === 0, 2000, 'the server to stop watching');
  });

  test('IDLE_CALL_SECONDS: a silent call is hung up after that long', async () => {
    const server = await serve({ IDLE_CALL_SECONDS: '2', MAX_CALL_SECONDS: '15' });
    const { call, startedAt } = await open(server);
    const elapsed = (await closedAt(call, 5000)) - startedAt;
    assert.ok(elapsed >= 1900 && elapsed < 4500, `hung up after ${elapsed} ms`);
  });

  test('IDLE_CALL_SECONDS: a conversation keeps the call open; silence after it ends it', async () => {
    const server = await serve({ IDLE_CALL_SECONDS: '2', MAX_CALL_SECONDS: '15' });
    const { call, startedAt, client } = await open(server);
    await sleep(1200);
    client.send({ type: 'response.create' }); // the service answers: activity the observer sees
    await client.next('output_audio_buffer.started', () => true, 5000);
    await until(() => Date.now() - startedAt > 2600, 3000, 'the idle time since the start to pass');
    assert.equal(call.closed, false, 'not idle while an answer is made and played');
    const stopped = await client.next('output_audio_buffer.stopped', () => true, 12_000);
    assert.ok(stopped);
    const lastActivity = Date.now();
    const end = await closedAt(call, 5000);
    assert.ok(
      end - lastActivity >= 1700 && end - lastActivity < 4500,
      `hung up ${end - lastActivity} ms after the answer ended`,
    );
  });

  test('a call the server cannot watch is hung up, not left to run uncounted', async () => {
    // The sideband socket cannot open (nothing listens there); hang-up still reaches the emulator.
    const server = await serve({ MAX_CALL_SECONDS: '30' }, (provider) =>
      withFault(provider, {
        observer: async () => ({ url: 'ws://127.0.0.1:9/v1/realtime', headers: {} }),
      }),
    );
    const client = ctx.client();
    await client.pc.setLocalDescription(await client.pc.createOffer());
    const res = await fetch(`${server.base}/connect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp' },
      body: client.pc.localDescription!.sdp,
    });
    assert.equal(res.status, 201);
    const callId = res.headers.get('location')!.split('/').pop()!;
    assert.match(callId, /^rtc_/);
    // So soon that the browser's channel may never open: the emulator's call is gone.
    await until(() => !ctx.emulator.calls.has(callId), 4000, "the emulator's call to end");
    await until(() => server.quotas.openCalls === 0, 2000, 'the server to count the call as ended');
  });
});
