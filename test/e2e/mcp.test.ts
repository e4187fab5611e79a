// MCP tools with approvals end to end: the reference server gives the session its operator's MCP
// server (a real one, the official SDK's, on loopback); the emulator lists its tools and, when the
// model calls one that needs approval, asks; the widget's prompt answers; the emulator calls the tool
// (or not) and the model reads the result back.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { part, record, until, voiceFixture } from '../support/harness.js';
import { callLog, recordServerEvents, waitFor } from './e2e-harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

type McpCall = { name: string; args: Record<string, unknown>; authorization?: string };
const mcpCalls = () => executeServerCommand('mcp-calls', {}) as Promise<McpCall[]>;

async function call(): Promise<{ el: RealtimeVoice; events: ReturnType<typeof recordServerEvents> }> {
  const el = await voiceFixture({ 'token-url': '/api-mcp/token', 'output-modalities': 'text', transcript: '' });
  el.muted = true;
  const events = recordServerEvents(el);
  expect(await el.start()).to.equal(true);
  await waitFor(events, (e) => e.type === 'mcp_list_tools.completed', 10_000, 'the MCP tools listed');
  // The listing fetched the approvals part: it is in before the user has said anything.
  await el.updateComplete;
  expect(performance.getEntriesByType('resource').some((r) => /parts\/approvals/.test(r.name))).to.equal(true);
  return { el, events };
}

/** The assistant's final text answers so far. */
function answers(events: ReturnType<typeof recordServerEvents>): string[] {
  return events.filter((e) => e.type === 'response.output_text.done').map((e) => String(e.detail.text));
}

describe('MCP tools with approvals (real server, emulator, MCP server)', () => {
  it('a tool that needs approval: the prompt names it, Allow runs it at the MCP server, the model reads the result', async () => {
    const { el, events } = await call();
    const before = (await mcpCalls()).length;
    el.sendText('Please cancel_order A-17 for me.');
    await until(() => !!part(el, 'approval'), 'the approval prompt', 20_000);
    expect(part(el, 'approval')!.textContent).to.contain('orders asks to use the tool cancel_order.');
    expect(part(el, 'approval-arguments')!.textContent).to.contain('order_id');
    expect((await mcpCalls()).length, 'nothing ran before the answer').to.equal(before);
    part<HTMLButtonElement>(el, 'approve-button')!.click();
    await waitFor(events, (e) => e.type === 'response.mcp_call.completed', 20_000, 'the MCP call');
    const calls = (await mcpCalls()).slice(before);
    expect(calls.map((c) => c.name)).to.deep.equal(['cancel_order']);
    expect(calls[0]!.authorization, "the operator's MCP authorization reached the MCP server").to.equal(
      'Bearer e2e-mcp-secret',
    );
    await until(() => answers(events).some((text) => /is cancelled/.test(text)), 'the answer with the result', 20_000);
    // The operator's MCP authorization is no page's business: no event the page got carries it.
    expect(JSON.stringify(events.map((e) => e.detail))).to.not.contain('e2e-mcp-secret');
    const log = await callLog(el.session.callId!);
    expect(log.serverProblems).to.deep.equal([]);
    expect(log.clientProblems).to.deep.equal([]);
    el.stop();
  });

  it('Deny: the MCP server is never called and the model says it did not use the tool', async () => {
    const { el, events } = await call();
    const before = (await mcpCalls()).length;
    el.sendText('Please cancel_order B-2.');
    await until(() => !!part(el, 'approval'), 'the approval prompt', 20_000);
    part<HTMLButtonElement>(el, 'deny-button')!.click();
    await until(() => answers(events).some((text) => /declin/i.test(text)), 'the answer after the denial', 20_000);
    expect((await mcpCalls()).length).to.equal(before);
    el.stop();
  });

  it("a tool the operator let run without approval: no prompt; the page's mcpApproval is not asked", async () => {
    const el = await voiceFixture({ 'token-url': '/api-mcp/token', 'output-modalities': 'text' });
    el.muted = true;
    let asked = 0;
    el.mcpApproval = () => (asked++, true);
    const events = recordServerEvents(el);
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(true);
    await waitFor(events, (e) => e.type === 'mcp_list_tools.completed', 10_000, 'the MCP tools listed');
    const before = (await mcpCalls()).length;
    el.sendText('Please lookup_order C-3.');
    await until(() => answers(events).some((text) => /has shipped/.test(text)), 'the answer with the result', 20_000);
    expect((await mcpCalls()).slice(before).map((c) => c.name)).to.deep.equal(['lookup_order']);
    expect(asked).to.equal(0);
    expect(part(el, 'approval')).to.equal(null);
    expect(errors).to.deep.equal([]);
    el.stop();
  });
});
