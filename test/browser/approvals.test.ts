// MCP approvals in the page: the approvals part comes when the session lists an MCP server's tools; an
// approval request shows an accessible prompt naming the server, the tool and the arguments; Allow or
// Deny sends an mcp_approval_response after the request; the page's mcpApproval function may decide
// instead. Against the in-page fake service; test/e2e/mcp.test.ts runs the flow with the emulator and a
// real MCP server.
import { expect } from '@open-wc/testing';
import type { FakeCall } from '../fakes/fake-realtime-service.js';
import {
  injectConnectionState,
  part,
  record,
  tokenUrl,
  until,
  untilState,
  useFakeService,
  voiceFixture,
} from '../support/harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

type Answer = {
  type: string;
  previous_item_id?: string;
  item: { type: string; id?: string; approval_request_id?: string; approve?: boolean };
};

/** The service lists a server's tools, then (after a turn) asks approval for one. */
async function listAndAsk(
  el: RealtimeVoice,
  call: FakeCall,
  id = 'mcpr_1',
  args = '{"order_id":"A-17"}',
): Promise<void> {
  await call.channel();
  call.emit({ type: 'mcp_list_tools.in_progress', item_id: 'mcpl_1' });
  call.emit({ type: 'mcp_list_tools.completed', item_id: 'mcpl_1' });
  // Any server event later (here the turn's start) renders the element, which then fetches the part.
  call.emit({ type: 'input_audio_buffer.speech_started', audio_start_ms: 0, item_id: 'u1' });
  // The part is in before the model asks (on the service, a turn and an answer come between).
  await until(
    () => el.state === 'connected' && el.shadowRoot!.querySelector('[data-activity="user-speaking"]') !== null,
    'the turn',
  );
  await el.updateComplete;
  call.emit({
    type: 'conversation.item.done',
    previous_item_id: 'u1',
    item: { type: 'mcp_approval_request', id, server_label: 'orders', name: 'cancel_order', arguments: args },
  });
}

function answers(call: FakeCall): Answer[] {
  return (call.received as unknown as Answer[]).filter(
    (e) => e.type === 'conversation.item.create' && e.item.type === 'mcp_approval_response',
  );
}

async function connected(): Promise<RealtimeVoice> {
  const el = await voiceFixture({ 'token-url': tokenUrl().url });
  expect(await el.start()).to.equal(true);
  return el;
}

describe('MCP approvals', () => {
  const fake = useFakeService();

  it('no approvals part without an MCP server', async () => {
    const el = await connected();
    await el.updateComplete;
    const scripts = performance.getEntriesByType('resource').map((r) => r.name);
    expect(
      scripts.some((name) => /parts\/approvals/.test(name)),
      'not fetched',
    ).to.equal(false);
    expect(part(el, 'approval')).to.equal(null);
    el.stop();
  });

  it('a request shows a prompt naming server, tool and arguments; Allow sends the answer after the request, once', async () => {
    const el = await connected();
    const call = fake.service.lastCall!;
    await listAndAsk(el, call);
    await until(() => !!part(el, 'approval'), 'the prompt');
    const prompt = part(el, 'approval')!;
    expect(prompt.getAttribute('role')).to.equal('group');
    const question = el.shadowRoot!.getElementById(prompt.getAttribute('aria-labelledby')!)!;
    expect(question.textContent).to.equal('orders asks to use the tool cancel_order.');
    expect(question.getAttribute('role'), 'announced').to.equal('alert');
    expect(part(el, 'approval-arguments')!.textContent).to.equal('{\n  "order_id": "A-17"\n}');
    expect(el.shadowRoot!.activeElement, 'the prompt has the focus, not its Allow button').to.equal(prompt);
    part<HTMLButtonElement>(el, 'approve-button')!.click();
    await until(() => answers(call).length === 1, 'the answer');
    const [answer] = answers(call);
    expect(answer!.previous_item_id).to.equal('mcpr_1');
    expect(answer!.item).to.include({ type: 'mcp_approval_response', approval_request_id: 'mcpr_1', approve: true });
    expect(answer!.item.id).to.match(/^rvm_/);
    await el.updateComplete;
    expect(part(el, 'approval'), 'gone once answered').to.equal(null);
    // The same request again (its response.output_item.done): no second prompt, no second answer.
    call.emit({
      type: 'response.output_item.done',
      response_id: 'resp_1',
      output_index: 0,
      item: {
        type: 'mcp_approval_request',
        id: 'mcpr_1',
        server_label: 'orders',
        name: 'cancel_order',
        arguments: '{}',
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(part(el, 'approval')).to.equal(null);
    expect(answers(call)).to.have.length(1);
    el.stop();
  });

  it('Deny sends approve: false; two requests are asked one after the other; arguments that are not JSON show as text', async () => {
    const el = await connected();
    const call = fake.service.lastCall!;
    await listAndAsk(el, call, 'mcpr_a', 'not json <b>x</b>');
    call.emit({
      type: 'conversation.item.done',
      item: {
        type: 'mcp_approval_request',
        id: 'mcpr_b',
        server_label: 'orders',
        name: 'lookup_order',
        arguments: '{}',
      },
    });
    await until(() => !!part(el, 'approval'), 'the first prompt');
    expect(part(el, 'approval-arguments')!.textContent).to.equal('not json <b>x</b>');
    expect(part(el, 'approval-arguments')!.querySelector('b'), 'no HTML from the service').to.equal(null);
    part<HTMLButtonElement>(el, 'deny-button')!.click();
    await until(() => part(el, 'approval')?.textContent?.includes('lookup_order') === true, 'the second prompt');
    part<HTMLButtonElement>(el, 'approve-button')!.click();
    await until(() => answers(call).length === 2, 'both answers');
    expect(answers(call).map((a) => [a.item.approval_request_id, a.item.approve])).to.deep.equal([
      ['mcpr_a', false],
      ['mcpr_b', true],
    ]);
    el.stop();
  });

  it("the page's mcpApproval decides (sync or async) without a prompt; undefined asks the user; a throw asks too", async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    const seen: unknown[] = [];
    el.mcpApproval = async (request) => {
      seen.push(request);
      if (request.name === 'cancel_order') return false;
      if (request.name === 'broken') throw new Error('no idea');
      return undefined;
    };
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(true);
    const call = fake.service.lastCall!;
    await listAndAsk(el, call, 'mcpr_1');
    await until(() => answers(call).length === 1, 'the page decided');
    expect(answers(call)[0]!.item).to.include({ approval_request_id: 'mcpr_1', approve: false });
    expect(seen[0]).to.deep.equal({
      id: 'mcpr_1',
      serverLabel: 'orders',
      name: 'cancel_order',
      arguments: '{"order_id":"A-17"}',
    });
    await el.updateComplete;
    expect(part(el, 'approval'), 'no prompt when the page decided').to.equal(null);
    call.emit({
      type: 'conversation.item.done',
      item: {
        type: 'mcp_approval_request',
        id: 'mcpr_2',
        server_label: 'orders',
        name: 'lookup_order',
        arguments: '{}',
      },
    });
    await until(() => !!part(el, 'approval'), 'the user is asked');
    call.emit({
      type: 'conversation.item.done',
      item: { type: 'mcp_approval_request', id: 'mcpr_3', server_label: 'orders', name: 'broken', arguments: '{}' },
    });
    await until(() => errors.length > 0, 'the failing function reported');
    expect(errors[0]!.detail).to.include({ code: 'tool-failed', fatal: false });
    el.stop();
  });

  it("the page's decision that comes after its call ended goes nowhere (no answer, no error)", async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    let decide: ((approve: boolean) => void) | undefined;
    el.mcpApproval = () => new Promise<boolean>((resolve) => (decide = resolve));
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(true);
    const call = fake.service.lastCall!;
    await listAndAsk(el, call);
    await until(() => decide !== undefined, 'the page asked');
    el.stop();
    await until(() => el.state !== 'connected', 'the call ended');
    decide!(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answers(call)).to.deep.equal([]);
    expect(errors.map((e) => e.detail.code)).to.deep.equal([]);
  });

  it('a reconnection drops the requests of the lost call: no prompt left to answer', async () => {
    const el = await connected();
    const call = fake.service.lastCall!;
    await listAndAsk(el, call);
    await until(() => !!part(el, 'approval'), 'the prompt');
    injectConnectionState(el.session.peerConnection!, 'failed');
    await untilState(el, 'reconnecting');
    await el.updateComplete;
    expect(part(el, 'approval')).to.equal(null);
    await untilState(el, 'connected');
    await el.updateComplete;
    expect(part(el, 'approval'), 'still none on the new call').to.equal(null);
    expect(answers(call)).to.deep.equal([]);
    el.stop();
  });
});
