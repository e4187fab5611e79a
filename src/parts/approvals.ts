/**
 * The approvals part (`realtime-voice.approvals.js`): the approve / deny prompt of an MCP tool call
 * the service asks approval for (`mcp_approval_request`, from the operator's MCP servers with
 * `require_approval`), or the page's `mcpApproval` function deciding instead; the answer goes back as
 * an `mcp_approval_response` item. Fetched as soon as a call's session lists an MCP server's tools
 * (`mcp_list_tools.*`), long before the model can ask.
 */
import type { McpApprovalRequest } from '../events/details.js';
import { approvalWords } from '../i18n/en-approvals.js';
import type { PartFactory } from './kit.js';

/** An `mcp_approval_request` item, as the service sends it. */
type RequestItem = { type?: string; id?: string; server_label?: string; name?: string; arguments?: string };

/** The arguments for the prompt: indented JSON, else the text as it came (bounded either way). */
function shownArguments(text: string): string {
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON: shown as the service sent it
  }
  return shown.length > 2000 ? `${shown.slice(0, 1999)}…` : shown;
}

const approvals: PartFactory = ({ html, nothing, css }, host) => {
  const el = host.element;
  /** MCP tool calls waiting for the user's answer (the first is shown), and the ids already seen. */
  let waiting: McpApprovalRequest[] = [];
  const seen = new Set<string>();
  let ids = 0;
  /** Counts the calls: an answer the page's function gives after its call ended goes nowhere. */
  let call = 0;
  /** The answer goes in after the request (as the Agents SDK sends it); the service then goes on by itself. */
  const answer = (request: McpApprovalRequest, approve: boolean) => {
    waiting = waiting.filter((r) => r !== request);
    el.send({
      type: 'conversation.item.create',
      previous_item_id: request.id,
      item: {
        type: 'mcp_approval_response',
        id: `rvm_${Date.now().toString(36)}${++ids}`,
        approval_request_id: request.id,
        approve,
      },
    });
    el.requestUpdate();
  };
  const ask = async (request: McpApprovalRequest) => {
    const asked = call;
    let decided: boolean | undefined;
    try {
      decided = await el.mcpApproval?.(request);
    } catch (error) {
      host.report(
        'tool-failed',
        `The page's mcpApproval function failed (${(error as Error)?.message ?? error}): the user is asked.`,
        error,
      );
    }
    if (asked !== call) return;
    if (typeof decided === 'boolean') return answer(request, decided);
    waiting = [...waiting, request];
    el.requestUpdate();
    // The prompt takes the focus (not its Allow button: a key already held must not approve).
    await el.updateComplete;
    el.shadowRoot?.querySelector<HTMLElement>('[part="approval"]')?.focus();
  };
  const approval = (s: typeof approvalWords) => {
    const request = waiting[0];
    if (!request) return nothing;
    const question = s.approvalAsk.replace('{server}', request.serverLabel).replace('{tool}', request.name);
    return html`<div part="approval" class="approval" role="group" aria-labelledby="approval-question" tabindex="-1">
      <p id="approval-question" role="alert">${question}</p>
      <p>${s.approvalArguments}</p><pre part="approval-arguments" dir="ltr">${shownArguments(request.arguments)}</pre>
      <button part="approve-button" class="secondary" type="button" @click=${() => answer(request, true)}>${s.approve}</button>
      <button part="deny-button" class="secondary" type="button" @click=${() => answer(request, false)}>${s.deny}</button>
    </div>`;
  };

  return {
    serverEvent: (event) => {
      if (event.type !== 'conversation.item.done' && event.type !== 'response.output_item.done') return;
      const item = (event as { item?: RequestItem }).item;
      if (item?.type !== 'mcp_approval_request' || !item.id || seen.has(item.id)) return;
      seen.add(item.id);
      const request = {
        id: item.id,
        serverLabel: item.server_label ?? '',
        name: item.name ?? '',
        arguments: item.arguments ?? '',
      };
      void ask(request);
    },
    /** A request belongs to its call: a new call (or none) has nothing to answer. */
    state: (next) => {
      if (next === 'connected') return;
      call++;
      if (waiting.length) {
        waiting = [];
        el.requestUpdate();
      }
    },
    styles: css`
      .approval {
        flex-basis: 100%;
        padding: 0.5rem 0.75rem;
        border: 1px solid currentColor;
        border-radius: 0.5rem;
      }
      .approval p {
        margin: 0 0 0.25rem;
      }
      .approval pre {
        margin: 0 0 0.5rem;
        max-block-size: 8rem;
        overflow: auto;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        font-size: 0.85em;
      }
    `,
    render: (given) => {
      if (el.state !== 'connected') return nothing;
      return approval({ ...approvalWords, ...given });
    },
  };
};
export default approvals;
