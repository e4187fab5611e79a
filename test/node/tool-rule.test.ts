// The rule for answering a tool call, written once per side: the widget's src/session/tool-rule.ts
// and the server observer's copy, server/src/observer/tool-rule.ts (server/ deploys without src/).
// Both are fed the same event sequences, hand-written and generated, and must decide the same;
// then each is held to the rule itself, and the widget's ToolCalls to what it sends.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import * as widgetRule from '../../src/session/tool-rule.ts';
import * as serverRule from '../../server/src/observer/tool-rule.ts';
import { ToolCalls } from '../../src/session/tools.ts';
import { RealtimeError } from '../../src/session/errors.ts';

type Rule = typeof widgetRule;
type Decision = widgetRule.ToolDecision;
/** A server event, or the local fact that a call's output was sent. */
type EventInput = { event: Record<string, unknown> };
type Input = EventInput | { sent: { responseId: string; callId: string } };

const RULES: Array<[string, Rule]> = [
  ['widget', widgetRule],
  ['server', serverRule as Rule],
];

const call = (responseId: string, callId: string): EventInput => ({
  event: {
    type: 'response.function_call_arguments.done',
    response_id: responseId,
    item_id: `item_${callId}`,
    output_index: 0,
    call_id: callId,
    name: 'get_weather',
    arguments: '{}',
  },
});
const done = (responseId: string, status: string, details: unknown = null): EventInput => ({
  event: {
    type: 'response.done',
    response: { object: 'realtime.response', id: responseId, status, status_details: details },
  },
});
const sent = (responseId: string, callId: string): Input => ({ sent: { responseId, callId } });
const other = (type: string): EventInput => ({ event: { type, response_id: 'resp_1' } });

/** Every decision the rule makes over `inputs`, in order, and the state it ends in. */
function decide(rule: Rule, inputs: Input[]): { decisions: Decision[]; state: widgetRule.ToolRuleState } {
  let state = rule.initialToolRule;
  const decisions: Decision[] = [];
  for (const input of inputs) {
    const step =
      'event' in input
        ? rule.onServerEvent(state, input.event)
        : rule.outputSent(state, input.sent.responseId, input.sent.callId);
    state = step.state;
    if (step.decision) decisions.push(step.decision);
  }
  return { decisions, state };
}

/** Both rules over `inputs`: they must decide the same; the widget's decisions are returned. */
function decideBoth(inputs: Input[]): Decision[] {
  const [widget, server] = RULES.map(([, rule]) => decide(rule, inputs));
  assert.deepEqual(server!.decisions, widget!.decisions, 'the server decides as the widget does');
  assert.deepEqual([...server!.state.responses], [...widget!.state.responses], 'and is left in the same state');
  return widget!.decisions;
}

const run = (responseId: string, callId: string): Decision => ({ kind: 'run', responseId, callId });
const followUp = (responseId: string): Decision => ({ kind: 'follow-up', responseId });
const noFollowUp = (responseId: string, status: string): Decision => ({ kind: 'no-follow-up', responseId, status });

describe('tool rule: the same decisions on both sides (hand-written sequences)', () => {
  test('one call of a completed response: run it, then one response.create once its output was sent', () => {
    assert.deepEqual(decideBoth([call('resp_1', 'call_1'), done('resp_1', 'completed'), sent('resp_1', 'call_1')]), [
      run('resp_1', 'call_1'),
      followUp('resp_1'),
    ]);
  });

  test('the output sent before response.done: the follow-up comes at response.done', () => {
    assert.deepEqual(decideBoth([call('resp_1', 'call_1'), sent('resp_1', 'call_1'), done('resp_1', 'completed')]), [
      run('resp_1', 'call_1'),
      followUp('resp_1'),
    ]);
  });

  test('barge-in: a response cancelled (turn_detected) gets no follow-up, its output still goes back', () => {
    const inputs = [
      call('resp_1', 'call_1'),
      done('resp_1', 'cancelled', { type: 'cancelled', reason: 'turn_detected' }),
      sent('resp_1', 'call_1'),
    ];
    assert.deepEqual(decideBoth(inputs), [run('resp_1', 'call_1'), noFollowUp('resp_1', 'cancelled')]);
  });

  test('a response cancelled by response.cancel, incomplete or failed: no follow-up either', () => {
    for (const status of ['cancelled', 'incomplete', 'failed']) {
      const inputs = [call('resp_1', 'call_1'), sent('resp_1', 'call_1'), done('resp_1', status)];
      assert.deepEqual(decideBoth(inputs), [run('resp_1', 'call_1'), noFollowUp('resp_1', status)], status);
    }
  });

  test('two calls in one response: both run, one response.create, only after the second output', () => {
    const inputs = [
      call('resp_1', 'call_1'),
      call('resp_1', 'call_2'),
      done('resp_1', 'completed'),
      sent('resp_1', 'call_2'),
      sent('resp_1', 'call_1'),
    ];
    assert.deepEqual(decideBoth(inputs), [run('resp_1', 'call_1'), run('resp_1', 'call_2'), followUp('resp_1')]);
    // Nothing is decided until the last output is sent.
    assert.deepEqual(decideBoth(inputs.slice(0, 4)), [run('resp_1', 'call_1'), run('resp_1', 'call_2')]);
  });

  test('calls of two responses interleaved: each response settles on its own calls', () => {
    const inputs = [
      call('resp_1', 'call_a'),
      done('resp_1', 'completed'),
      call('resp_2', 'call_b'),
      done('resp_2', 'cancelled', { type: 'cancelled', reason: 'turn_detected' }),
      sent('resp_2', 'call_b'),
      sent('resp_1', 'call_a'),
    ];
    assert.deepEqual(decideBoth(inputs), [
      run('resp_1', 'call_a'),
      run('resp_2', 'call_b'),
      noFollowUp('resp_2', 'cancelled'),
      followUp('resp_1'),
    ]);
  });

  test('an output of another response, or an unknown call, settles nothing', () => {
    const inputs = [
      call('resp_1', 'call_1'),
      done('resp_1', 'completed'),
      sent('resp_2', 'call_1'),
      sent('resp_1', 'call_9'),
    ];
    assert.deepEqual(decideBoth(inputs), [run('resp_1', 'call_1')]);
    assert.deepEqual(decideBoth([...inputs, sent('resp_1', 'call_1')]).at(-1), followUp('resp_1'));
  });

  test('a response without calls, other events and a second response.done decide nothing', () => {
    const inputs = [
      other('response.created'),
      other('response.output_text.delta'),
      other('response.function_call_arguments.delta'),
      done('resp_0', 'completed'),
      call('resp_1', 'call_1'),
      sent('resp_1', 'call_1'),
      done('resp_1', 'completed'),
      done('resp_1', 'completed'),
    ];
    assert.deepEqual(decideBoth(inputs), [run('resp_1', 'call_1'), followUp('resp_1')]);
  });
});

describe('tool rule: generated sequences (fast-check)', () => {
  const STATUSES = ['completed', 'cancelled', 'incomplete', 'failed'];
  /** Responses with 0–3 calls each and a status, and the choices that interleave their events. */
  const scenario = fc.record({
    responses: fc.array(fc.record({ calls: fc.integer({ min: 0, max: 3 }), status: fc.constantFrom(...STATUSES) }), {
      minLength: 1,
      maxLength: 4,
    }),
    choices: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  });

  /**
   * One interleaving the service and the handlers could produce: a response's calls come before
   * its response.done, a call's output is sent after the call; anything else in any order.
   */
  function interleave({
    responses,
    choices,
  }: {
    responses: Array<{ calls: number; status: string }>;
    choices: number[];
  }): Input[] {
    type Pending = { input: Input; after: Input[] };
    const pending: Pending[] = [];
    responses.forEach(({ calls, status }, r) => {
      const calls_ = Array.from({ length: calls }, (_, c) => call(`resp_${r}`, `call_${r}_${c}`));
      calls_.forEach((input, c) => {
        pending.push({ input, after: [] });
        pending.push({ input: sent(`resp_${r}`, `call_${r}_${c}`), after: [input] });
      });
      pending.push({ input: done(`resp_${r}`, status), after: calls_ });
    });
    const out: Input[] = [];
    for (let i = 0; pending.length; i++) {
      const ready = pending.filter((p) => p.after.every((a) => out.includes(a)));
      const next = ready[(choices[i % choices.length] ?? 0) % ready.length]!;
      out.push(next.input);
      pending.splice(pending.indexOf(next), 1);
    }
    return out;
  }

  test('both sides decide the same, and as the rule says', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const inputs = interleave(s);
        const decisions = decideBoth(inputs);
        const calls = s.responses.reduce((n, r) => n + r.calls, 0);
        assert.equal(decisions.filter((d) => d.kind === 'run').length, calls, 'every call runs once');
        s.responses.forEach(({ calls, status }, r) => {
          const id = `resp_${r}`;
          const settled = decisions.filter((d) => d.kind !== 'run' && d.responseId === id);
          if (!calls) return assert.deepEqual(settled, [], 'a response without calls: nothing to follow up');
          assert.deepEqual(settled, [status === 'completed' ? followUp(id) : noFollowUp(id, status)]);
          // Decided at the last of its outputs and its response.done, not before.
          const last = Math.max(
            ...inputs.flatMap((input, i) =>
              ('sent' in input && input.sent.responseId === id) ||
              ('event' in input && (input.event.response as { id?: string } | undefined)?.id === id)
                ? [i]
                : [],
            ),
          );
          assert.deepEqual(
            decideBoth(inputs.slice(0, last)).filter((d) => d.kind !== 'run' && d.responseId === id),
            [],
          );
        });
        assert.equal(decide(widgetRule, inputs).state.responses.size, 0, 'nothing left pending');
      }),
      { numRuns: 300 },
    );
  });
});

describe('tool rule: each side on its own', () => {
  for (const [side, rule] of RULES) {
    test(`${side}: followUpAfter is true only for a completed response`, () => {
      assert.equal(rule.followUpAfter({ status: 'completed' }), true);
      for (const status of ['cancelled', 'incomplete', 'failed', 'in_progress', undefined, 1])
        assert.equal(rule.followUpAfter({ status }), false, String(status));
    });

    test(`${side}: a step leaves the state it was given as it was (pure)`, () => {
      const start = rule.onServerEvent(rule.initialToolRule, call('resp_1', 'call_1').event).state;
      const before = structuredClone([...start.responses]);
      rule.onServerEvent(start, call('resp_1', 'call_2').event);
      rule.onServerEvent(start, done('resp_1', 'completed').event);
      rule.outputSent(start, 'resp_1', 'call_1');
      assert.deepEqual([...start.responses], before);
      assert.equal(rule.initialToolRule.responses.size, 0);
    });

    test(`${side}: the pending state says which calls of which response still wait`, () => {
      const { state } = decide(rule, [call('resp_1', 'call_1'), call('resp_1', 'call_2'), done('resp_1', 'completed')]);
      assert.deepEqual([...state.responses], [['resp_1', { waiting: ['call_1', 'call_2'], status: 'completed' }]]);
    });
  }
});

describe("the widget's ToolCalls follows the rule", () => {
  /** Feeds ToolCalls the events; handlers answer when `release` is called. */
  function toolCalls() {
    const sentEvents: Array<Record<string, unknown>> = [];
    const waiting: Array<() => void> = [];
    const calls = new ToolCalls(
      (event) => (sentEvents.push(event as Record<string, unknown>), true),
      () => {},
      RealtimeError,
    );
    const tools = [
      { name: 'get_weather', handler: () => new Promise((resolve) => waiting.push(() => resolve({ sky: 'clear' }))) },
    ];
    const feed = (...inputs: EventInput[]) => inputs.forEach((i) => calls.handle(i.event as never, tools));
    const release = async () => {
      waiting.splice(0).forEach((answer) => answer());
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    return { feed, release, types: () => sentEvents.map((e) => e.type) };
  }

  test('completed, two calls: both outputs, then one response.create', async () => {
    const t = toolCalls();
    t.feed(call('resp_1', 'call_1'), call('resp_1', 'call_2'), done('resp_1', 'completed'));
    assert.deepEqual(t.types(), []);
    await t.release();
    assert.deepEqual(t.types(), ['conversation.item.create', 'conversation.item.create', 'response.create']);
  });

  test('cancelled by barge-in: the output goes back, no response.create', async () => {
    const t = toolCalls();
    t.feed(call('resp_1', 'call_1'), done('resp_1', 'cancelled', { type: 'cancelled', reason: 'turn_detected' }));
    await t.release();
    assert.deepEqual(t.types(), ['conversation.item.create']);
  });

  test('two responses interleaved: a response.create for the completed one only', async () => {
    const t = toolCalls();
    t.feed(
      call('resp_1', 'call_a'),
      done('resp_1', 'completed'),
      call('resp_2', 'call_b'),
      done('resp_2', 'incomplete'),
    );
    await t.release();
    assert.deepEqual(t.types(), ['conversation.item.create', 'conversation.item.create', 'response.create']);
  });
});
