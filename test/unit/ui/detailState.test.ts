import assert from 'node:assert/strict';
import { OUTPUT_TAIL_CHARS } from '../../../src/core/recordLimits';
import { TaskRecordSchema, type TaskRecord } from '../../../src/core/taskRecord';
import { canRunAgain } from '../../../src/core/taskRules';
import { TASK_STATUSES } from '../../../src/core/taskStatus';
import { contentSecurityPolicy, detailHtml } from '../../../src/ui/detail/detailHtml';
import { planUpdate, toDetailState } from '../../../src/ui/detail/detailState';
import { describeResultSize, formatCountdown, formatDuration } from '../../../src/ui/detail/format';
import { DISPLAY_RESULT_BYTES, DisplayedResults, displayResult } from '../../../src/ui/detail/resultDisplay';
import { ResultUnavailableError, type ResultReader } from '../../../src/core/taskResult';
import { DetailStateSchema, HostToWebviewSchema, WebviewToHostSchema, type DetailState, type HostToWebview } from '../../../src/ui/detail/protocol';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** A record with every field set, as the store would hold it. */
function fullRecord(): TaskRecord {
  return TaskRecordSchema.parse({
    serverId: 'embedded',
    tool: 'run_command',
    arguments: { command: 'npm test', env: { CI: '1' } },
    intent: 'Run the unit tests',
    expectedOutputs: 'A passing test summary',
    context: { workspace: '/ws', cwd: '/ws/pkg', agent: { name: 'copilot', version: '1.2' } },
    priority: 5,
    resourceLimits: { timeBudgetMs: 60_000, maxOutputBytes: 1024 },
    scheduling: { runAfter: iso(T0 - 1000), afterTaskId: 'task-0' },
    tags: ['ci', 'tests'],
    ttl: 3_600_000,
    meta: { 'com.example/trace': { id: 'abc' } },
    parentId: 'parent-1',
    id: 'host-1',
    taskId: 'server-1',
    wire: '2025-11-25',
    status: 'failed',
    statusMessage: 'exit code 1',
    createdAt: iso(T0),
    lastUpdatedAt: iso(T0 + 5000),
    grantedTtl: 1_800_000,
    pollInterval: 500,
    attempt: 2,
    retryOf: 'host-0',
    retriedAs: 'host-2',
    result: { content: [{ type: 'text', text: 'boom' }], isError: true },
    output: 'line 1\nline 2\n',
    pendingInput: [],
    timeline: [
      { at: iso(T0), status: 'working', message: 'started' },
      { at: iso(T0 + 1000), message: 'halfway' },
      { at: iso(T0 + 4000), status: 'failed', message: 'exit code 1' },
    ],
    expired: false,
    archived: true,
    archivedAt: iso(T0 + 6000),
  });
}

/** A freshly created, running record with only the required fields. */
function minimalRecord(patch: Partial<TaskRecord> = {}): TaskRecord {
  return TaskRecordSchema.parse({
    serverId: 's',
    tool: 't',
    id: 'h',
    status: 'working',
    createdAt: iso(T0),
    lastUpdatedAt: iso(T0),
    ...patch,
  });
}

/** The result blocks of a record whose result is `result`. */
function blocksOf(result: unknown) {
  const outcome = toDetailState(minimalRecord({ status: 'completed', result }), T0).outcome;
  assert.equal(outcome.kind, 'result');
  return outcome.kind === 'result' ? outcome.blocks : [];
}

describe('ui/detail/toDetailState', () => {
  it('names the embedded server as every other view does', () => {
    const state = toDetailState({ ...fullRecord(), serverId: 'tasklane' }, T0 + 10_000);
    assert.equal(state.serverName, 'Tasklane (this editor)');
  });

  it('maps every field of a full record', () => {
    const state = toDetailState(fullRecord(), T0 + 10_000);
    const expected: DetailState = {
      id: 'host-1',
      title: 'Run the unit tests',
      taskId: 'server-1',
      tool: 'run_command',
      serverId: 'embedded',
      serverName: 'embedded',
      intent: 'Run the unit tests',
      wire: '2025-11-25',
      status: 'failed',
      statusLabel: 'Failed',
      statusMessage: 'exit code 1',
      createdAt: iso(T0),
      lastUpdatedAt: iso(T0 + 5000),
      finishedAt: iso(T0 + 4000),
      durationMs: 4000,
      ttl: { requestedMs: 3_600_000, grantedMs: 1_800_000, unlimited: false, expiresAt: iso(T0 + 1_800_000), expired: false },
      retention: { kind: 'until', until: iso(T0 + 5000 + 30 * 24 * 3600 * 1000), days: 30, maxTasks: 5000 },
      attempt: 2,
      retryOf: 'host-0',
      retriedAs: 'host-2',
      parentId: 'parent-1',
      archivedAt: iso(T0 + 6000),
      pinned: false,
      imported: false,
      teamListed: false,
      children: [],
      queue: null,
      pollIntervalMs: 500,
      arguments: { command: 'npm test', env: { CI: '1' } },
      expectedOutputs: 'A passing test summary',
      context: { workspace: '/ws', cwd: '/ws/pkg', agent: 'copilot 1.2' },
      priority: 5,
      resourceLimits: { timeBudgetMs: 60_000, maxOutputBytes: 1024 },
      scheduling: { runAfter: iso(T0 - 1000), afterTaskId: 'task-0' },
      tags: ['ci', 'tests'],
      meta: { 'com.example/trace': { id: 'abc' } },
      timeline: [
        { at: iso(T0), status: 'working', message: 'started' },
        { at: iso(T0 + 1000), status: null, message: 'halfway' },
        { at: iso(T0 + 4000), status: 'failed', message: 'exit code 1' },
      ],
      output: 'line 1\nline 2\n',
      pendingInput: [],
      testFailures: null,
      steps: [],
      outcome: { kind: 'result', isError: true, blocks: [{ kind: 'text', text: 'boom' }], structuredContent: null, inOutput: [] },
      resultSize: { bytes: 58, shownBytes: null },
      // Already retried (retriedAs): the panel offers no second retry of this attempt, as the tree and palette do not;
      // Run Again, a new task of its own, is still offered.
      actions: { cancel: false, retry: false, runAgain: true, answer: false },
      retryPolicy: null,
      retryReason: null,
    };
    assert.deepEqual(state, expected);
    assert.deepEqual(DetailStateSchema.parse(state), expected, 'the protocol schema accepts what toDetailState builds');
  });

  it('lists the failing tests of a run_tests result, and nothing for a malformed list', () => {
    const failures = [{ name: 'calc › adds', message: 'Expected: 4', location: { file: '/w/calc.test.js', line: 6 } }];
    const record = (structuredContent: unknown) =>
      minimalRecord({ status: 'failed', tool: 'run_tests', result: { content: [], structuredContent, isError: true } });
    const state = toDetailState(record({ exitCode: 1, failures, failuresNotListed: 2 }), T0);
    assert.deepEqual(state.testFailures, { failures, failuresNotListed: 2 });
    assert.deepEqual(DetailStateSchema.parse(state).testFailures, { failures, failuresNotListed: 2 });
    assert.equal(toDetailState(record({ failures: [{ name: '', message: 'x' }], failuresNotListed: 0 }), T0).testFailures, null);
    assert.equal(toDetailState(record({ exitCode: 0 }), T0).testFailures, null);
  });

  it('has a place on the page for every TaskRecord field', () => {
    // Compile-time: adding a TaskRecord field fails here until the page shows it (or says why not).
    const shownAs: Record<keyof TaskRecord, keyof DetailState> = {
      serverId: 'serverId',
      tool: 'tool',
      arguments: 'arguments',
      intent: 'intent',
      expectedOutputs: 'expectedOutputs',
      context: 'context',
      priority: 'priority',
      resourceLimits: 'resourceLimits',
      scheduling: 'scheduling',
      tags: 'tags',
      ttl: 'ttl',
      meta: 'meta',
      parentId: 'parentId',
      id: 'id',
      taskId: 'taskId',
      // A start not answered yet shows as its status message ("Starting", "May still be running on …").
      startIntent: 'statusMessage',
      wire: 'wire',
      status: 'status',
      statusMessage: 'statusMessage',
      createdAt: 'createdAt',
      lastUpdatedAt: 'lastUpdatedAt',
      grantedTtl: 'ttl',
      pollInterval: 'pollIntervalMs',
      attempt: 'attempt',
      retryOf: 'retryOf',
      retriedAs: 'retriedAs',
      result: 'outcome',
      // Read through the store when the panel shows it: its size, and the result itself.
      resultFile: 'resultSize',
      error: 'outcome',
      output: 'output',
      pendingInput: 'pendingInput',
      timeline: 'timeline',
      expired: 'ttl',
      archived: 'archivedAt',
      archivedAt: 'archivedAt',
      pinned: 'pinned',
      imported: 'imported',
      teamListed: 'teamListed',
      queue: 'queue',
      // A scheduled run is titled with its schedule's name (its intent) unless the schedule gives one; the link is the Schedules view's.
      scheduleId: 'intent',
      retry: 'retryPolicy',
      retryReason: 'retryReason',
      // While the retry waits, the status message counts down to it ("Retrying in 4 s (attempt 2 of 3)").
      retryDue: 'statusMessage',
      steps: 'steps',
    };
    // Run time: the schema has no field the type map above misses.
    assert.deepEqual(Object.keys(TaskRecordSchema.shape).sort(), Object.keys(shownAs).sort());
    const stateKeys = Object.keys(toDetailState(fullRecord(), T0));
    for (const key of Object.values(shownAs)) assert.ok(stateKeys.includes(key), key);
  });

  it("links child tasks oldest first, shows the agent's connection, and offers no actions on an imported copy", () => {
    const older = TaskRecordSchema.parse({ ...minimalRecord(), id: 'child-a', intent: 'Build', createdAt: iso(T0 + 1) });
    const newer = TaskRecordSchema.parse({ ...minimalRecord(), id: 'child-b', tool: 'wait', status: 'completed', createdAt: iso(T0 + 2) });
    const record = TaskRecordSchema.parse({
      ...minimalRecord(),
      context: { agent: { name: 'claude-code', version: '2.1', connection: 'http stateless' } },
      queue: { position: 2, size: 5 },
    });
    const state = toDetailState(record, T0, [newer, older]);
    assert.deepEqual(state.children, [
      { id: 'child-a', label: 'Build', status: 'working' },
      { id: 'child-b', label: 'wait', status: 'completed' },
    ]);
    assert.equal(state.context.agent, 'claude-code 2.1 via http stateless');
    assert.deepEqual(state.queue, { position: 2, size: 5 });
    const copy = toDetailState({ ...record, imported: true, pendingInput: [] }, T0);
    assert.deepEqual(copy.actions, { cancel: false, retry: false, runAgain: false, answer: false });
    DetailStateSchema.parse(state);
  });

  it('maps a minimal running record with nulls, no result and cancel allowed', () => {
    const state = toDetailState(minimalRecord(), T0 + 2000);
    assert.equal(state.statusLabel, 'Working');
    assert.equal(state.finishedAt, null);
    assert.equal(state.durationMs, null, 'the page counts a running duration itself');
    assert.deepEqual(state.ttl, { requestedMs: null, grantedMs: null, unlimited: false, expiresAt: null, expired: false });
    assert.deepEqual(state.context, { workspace: null, cwd: null, agent: null });
    assert.deepEqual(state.outcome, { kind: 'none' });
    assert.deepEqual(state.actions, { cancel: true, retry: false, runAgain: false, answer: false });
    for (const key of [
      'taskId',
      'intent',
      'wire',
      'statusMessage',
      'retryOf',
      'retriedAs',
      'parentId',
      'archivedAt',
      'pollIntervalMs',
      'expectedOutputs',
      'priority',
    ] as const) {
      assert.equal(state[key], null, key);
    }
    assert.equal(state.output, '');
    DetailStateSchema.parse(state);
  });

  it('works out TTL expiry at `now`, and unlimited retention', () => {
    const granted = minimalRecord({ grantedTtl: 1000 });
    assert.equal(toDetailState(granted, T0 + 999).ttl.expired, false);
    assert.equal(toDetailState(granted, T0 + 1000).ttl.expired, true);
    assert.equal(toDetailState(minimalRecord({ expired: true }), T0).ttl.expired, true);
    const unlimited = toDetailState(minimalRecord({ grantedTtl: null }), T0).ttl;
    assert.deepEqual(unlimited, { requestedMs: null, grantedMs: null, unlimited: true, expiresAt: null, expired: false });
  });

  it('uses the last status entry as the finish time, else lastUpdatedAt', () => {
    const record = minimalRecord({ status: 'cancelled', lastUpdatedAt: iso(T0 + 9000), timeline: [{ at: iso(T0), status: 'working' }] });
    const state = toDetailState(record, T0 + 20_000);
    assert.equal(state.finishedAt, iso(T0 + 9000));
    assert.equal(state.durationMs, 9000);
    assert.deepEqual(state.actions, { cancel: false, retry: true, runAgain: true, answer: false });
    assert.deepEqual(toDetailState(minimalRecord({ status: 'completed' }), T0).actions, { cancel: false, retry: false, runAgain: true, answer: false });
  });

  it('offers Run Again exactly when the tree and the palette do (canRunAgain)', () => {
    for (const status of TASK_STATUSES) {
      for (const imported of [false, true]) {
        const record = minimalRecord({ status, imported });
        assert.equal(toDetailState(record, T0).actions.runAgain, canRunAgain(record), `${status}${imported ? ', imported' : ''}`);
      }
    }
    assert.equal(toDetailState(minimalRecord({ status: 'completed' }), T0).actions.runAgain, true, 'a completed task runs again');
    assert.equal(toDetailState(minimalRecord({ status: 'working' }), T0).actions.runAgain, false, 'a running task does not');
    assert.equal(toDetailState(minimalRecord({ status: 'input_required' }), T0).actions.runAgain, false, 'nor one waiting for input');
    assert.equal(toDetailState(minimalRecord({ status: 'completed', imported: true }), T0).actions.runAgain, false, 'nor an imported copy');
  });

  it('shows pending input with its message and asked-for fields', () => {
    const record = minimalRecord({
      status: 'input_required',
      pendingInput: [
        {
          key: 'k1',
          method: 'elicitation/create',
          params: { message: 'Which branch?', requestedSchema: { type: 'object', properties: { branch: {}, force: {} } } },
          at: iso(T0),
        },
        { key: 'k2', method: 'sampling/createMessage', params: {}, at: iso(T0 + 1) },
      ],
    });
    const state = toDetailState(record, T0);
    assert.deepEqual(state.pendingInput, [
      { key: 'k1', method: 'elicitation/create', message: 'Which branch?', fields: ['branch', 'force'], at: iso(T0) },
      { key: 'k2', method: 'sampling/createMessage', message: 'The server asks for input (sampling/createMessage).', fields: [], at: iso(T0 + 1) },
    ]);
    assert.equal(state.actions.answer, true);
  });

  it('keeps only the output tail the store keeps', () => {
    const state = toDetailState(minimalRecord({ output: 'a'.repeat(10) + 'b'.repeat(OUTPUT_TAIL_CHARS) }), T0);
    assert.equal(state.output, 'b'.repeat(OUTPUT_TAIL_CHARS));
  });

  describe('result content', () => {
    it('maps text, JSON text, images, audio, resource links and embedded resources', () => {
      const blocks = blocksOf({
        content: [
          { type: 'text', text: '<script>alert(1)</script>' },
          { type: 'text', text: ' {"a": [1, 2]} ' },
          { type: 'text', text: '[not json' },
          { type: 'image', mimeType: 'image/png', data: PNG.slice(0, 20) + '\n' + PNG.slice(20) },
          { type: 'audio', mimeType: 'audio/wav', data: 'AAAA' },
          { type: 'resource_link', uri: 'file:///a.txt', name: 'a.txt', title: 'A', description: 'the a', mimeType: 'text/plain' },
          { type: 'resource', resource: { uri: 'file:///b.txt', mimeType: 'text/plain', text: 'bee' } },
          { type: 'resource', resource: { uri: 'file:///c.bin', blob: 'AAAAAAAA' } },
        ],
      });
      assert.deepEqual(blocks, [
        { kind: 'text', text: '<script>alert(1)</script>' },
        { kind: 'json', value: { a: [1, 2] } },
        { kind: 'text', text: '[not json' },
        { kind: 'image', mimeType: 'image/png', data: PNG },
        { kind: 'audio', mimeType: 'audio/wav', bytes: 3 },
        { kind: 'resourceLink', uri: 'file:///a.txt', name: 'a.txt', title: 'A', description: 'the a', mimeType: 'text/plain' },
        { kind: 'resource', uri: 'file:///b.txt', mimeType: 'text/plain', text: 'bee', bytes: null },
        { kind: 'resource', uri: 'file:///c.bin', mimeType: null, text: null, bytes: 6 },
      ]);
    });

    it('shows images that could break out of a data: URL, and unknown or malformed content, as JSON', () => {
      const blocks = blocksOf({
        content: [
          { type: 'image', mimeType: 'image/png;x" onerror="alert(1)', data: PNG },
          { type: 'image', mimeType: 'image/png', data: 'abc"<' },
          { type: 'image', mimeType: 'text/html', data: PNG },
          { type: 'video', url: 'x' },
          { type: 'text' },
          'bare string',
        ],
      });
      assert.deepEqual(
        blocks.map((block) => block.kind),
        ['unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown'],
      );
    });

    it('maps structuredContent and isError, and a result that is not a CallToolResult', () => {
      const outcome = toDetailState(minimalRecord({ status: 'completed', result: { content: [], structuredContent: { ok: true, n: undefined } } }), T0).outcome;
      assert.deepEqual(outcome, { kind: 'result', isError: false, blocks: [], structuredContent: { ok: true }, inOutput: [] });
      assert.deepEqual(blocksOf({ answer: 42 }), [{ kind: 'unknown', value: { answer: 42 } }]);
      assert.deepEqual(blocksOf('plain'), [{ kind: 'unknown', value: 'plain' }]);
    });

    it('maps a JSON-RPC error to plain words, the code kept only as detail', () => {
      const record = minimalRecord({ status: 'failed', error: { code: -32603, message: 'Internal error', data: { detail: 'x' } } });
      // A message that only repeats the code's name adds nothing to the words.
      assert.deepEqual(toDetailState(record, T0).outcome, {
        kind: 'error',
        meaning: 'The server hit an internal error',
        message: '',
        code: -32603,
        data: { detail: 'x' },
      });
      const invalid = minimalRecord({ status: 'failed', error: { code: -32602, message: 'MCP error -32602: Unknown tool: nope' } });
      assert.deepEqual(toDetailState(invalid, T0).outcome, {
        kind: 'error',
        meaning: "The server did not accept the request's parameters",
        message: 'Unknown tool: nope',
        code: -32602,
        data: null,
      });
      const bare = minimalRecord({ status: 'failed', error: { code: 1, message: 'm' } });
      assert.deepEqual(toDetailState(bare, T0).outcome, { kind: 'error', meaning: 'The request failed', message: 'm', code: 1, data: null });
    });

    it('shows the size of a result, whole when it is small', () => {
      const state = toDetailState(minimalRecord({ status: 'completed', result: { content: [{ type: 'text', text: 'done' }] } }), T0);
      assert.deepEqual(state.resultSize, { bytes: 43, shownBytes: null });
      assert.equal(describeResultSize(state.resultSize!), '43 B');
      assert.equal(toDetailState(minimalRecord({ status: 'completed' }), T0).resultSize, null, 'no result, no size');
    });

    it('sends only the first 256 KB of a large result, and says so', () => {
      const text = 'x'.repeat(3 * 1024 * 1024);
      const record = minimalRecord({
        status: 'completed',
        result: {
          content: [
            { type: 'text', text },
            { type: 'text', text: 'after' },
          ],
          structuredContent: { big: text },
        },
      });
      const state = toDetailState(record, T0);
      assert.equal(state.resultSize!.bytes, 2 * text.length + 101);
      assert.ok(state.resultSize!.shownBytes !== null && state.resultSize!.shownBytes <= DISPLAY_RESULT_BYTES, `shown ${state.resultSize!.shownBytes}`);
      assert.equal(describeResultSize(state.resultSize!), 'Showing the first 256.0 KB of 6.0 MB');
      assert.equal(state.outcome.kind, 'result');
      if (state.outcome.kind !== 'result') return;
      assert.equal(state.outcome.blocks.length, 1, 'the blocks after the cut are left out');
      const shown = state.outcome.blocks[0]!;
      assert.ok(shown.kind === 'text' && shown.text.length > 200 * 1024 && shown.text.length <= DISPLAY_RESULT_BYTES, 'the first block, cut');
      assert.equal(state.outcome.structuredContent, null, 'structured content that does not fit is left out');
      assert.ok(JSON.stringify(state).length < DISPLAY_RESULT_BYTES + 16 * 1024, 'the page is sent no more than the cut');
      DetailStateSchema.parse(state);
    });

    it('reads a result kept aside through the reader, and shows why when it cannot', () => {
      const result = { content: [{ type: 'text', text: 'from disk' }] };
      // The size the record keeps is the one shown: the panel does not measure a result kept aside.
      const aside = minimalRecord({ status: 'completed', tool: 'make', resultFile: { bytes: 45, preview: '{"content"' } });
      let reads = 0;
      const reader: ResultReader = {
        readResult: () => {
          reads++;
          return result;
        },
      };
      const state = toDetailState(aside, T0, [], undefined, displayResult(aside, reader));
      assert.deepEqual(state.outcome, { kind: 'result', isError: false, blocks: [{ kind: 'text', text: 'from disk' }], structuredContent: null, inOutput: [] });
      assert.deepEqual(state.resultSize, { bytes: 45, shownBytes: null });

      const cache = new DisplayedResults(reader);
      cache.of(aside);
      cache.of({ ...aside, archived: true });
      assert.equal(reads, 2, 'one read for displayResult, one for the cache: a page update of the same result reads nothing');

      const gone: ResultReader = {
        readResult: () => {
          throw new ResultUnavailableError('The result of "make" is no longer on disk (x.json is missing).');
        },
      };
      const missing = toDetailState(aside, T0, [], undefined, displayResult(aside, gone));
      assert.deepEqual(missing.outcome, { kind: 'unavailable', message: 'The result of "make" is no longer on disk (x.json is missing).' });
      assert.deepEqual(missing.resultSize, { bytes: 45, shownBytes: null });
      DetailStateSchema.parse(missing);
      assert.equal(toDetailState(aside, T0).outcome.kind, 'unavailable', 'without a reader, a result kept aside is unavailable, never a crash');
    });
  });
});

describe('ui/detail/planUpdate', () => {
  const base = () => toDetailState(minimalRecord({ output: 'abc' }), T0);

  it('sends nothing when nothing changed', () => {
    assert.deepEqual(planUpdate(base(), base()), []);
  });

  it('patches only the keys that changed, including cleared ones', () => {
    const last = toDetailState(minimalRecord({ statusMessage: 'busy' }), T0);
    const next = toDetailState(minimalRecord({ status: 'input_required', lastUpdatedAt: iso(T0 + 1) }), T0);
    assert.deepEqual(planUpdate(last, next), [
      { type: 'patch', patch: { status: 'input_required', statusLabel: 'Needs input', statusMessage: null, lastUpdatedAt: iso(T0 + 1) } },
    ]);
  });

  it('sends grown output as a chunk, and replaces it when the chunks do not explain it', () => {
    const next = { ...base(), output: 'abcdef' };
    assert.deepEqual(planUpdate(base(), next, ['de', 'f']), [{ type: 'output', chunk: 'def' }]);
    assert.deepEqual(planUpdate(base(), next, []), [{ type: 'patch', patch: { output: 'abcdef' } }]);
    assert.deepEqual(planUpdate(base(), next, ['zz']), [{ type: 'patch', patch: { output: 'abcdef' } }]);
  });

  it('sends a chunk past the output limit, which the page trims the same way', () => {
    const last = { ...base(), output: 'x'.repeat(OUTPUT_TAIL_CHARS) };
    const next = { ...base(), output: 'x'.repeat(OUTPUT_TAIL_CHARS - 2) + 'yy' };
    assert.deepEqual(planUpdate(last, next, ['yy']), [{ type: 'output', chunk: 'yy' }]);
  });

  it('produces messages the protocol accepts', () => {
    const last = base();
    const next = { ...toDetailState(fullRecord(), T0), output: 'abcd' };
    for (const message of planUpdate(last, next, ['d'])) assert.ok(HostToWebviewSchema.safeParse(message).success, JSON.stringify(message));
  });
});

describe('ui/detail/protocol', () => {
  const state = () => toDetailState(fullRecord(), T0);
  const accepts = (schema: typeof HostToWebviewSchema | typeof WebviewToHostSchema, value: unknown) =>
    assert.ok(schema.safeParse(value).success, `should accept ${JSON.stringify(value)}`);
  const rejects = (schema: typeof HostToWebviewSchema | typeof WebviewToHostSchema, value: unknown) =>
    assert.ok(!schema.safeParse(value).success, `should reject ${JSON.stringify(value)}`);

  it('accepts every host → webview message', () => {
    const good: HostToWebview[] = [
      { type: 'state', state: state() },
      { type: 'state', state: toDetailState(minimalRecord(), T0) },
      { type: 'patch', patch: { status: 'completed', statusMessage: null } },
      { type: 'output', chunk: 'hello\n' },
      { type: 'gone' },
      { type: 'panel', preview: true },
      { type: 'panel', preview: false },
    ];
    for (const message of good) accepts(HostToWebviewSchema, message);
  });

  it('rejects malformed host → webview messages', () => {
    const bad: unknown[] = [
      null,
      'state',
      [],
      {},
      { type: 'nope' },
      { type: 'state' },
      { type: 'state', state: { ...state(), id: undefined } },
      { type: 'state', state: { ...state(), junk: 1 } },
      { type: 'state', state: { ...state(), status: 'exploded' } },
      { type: 'state', state: { ...state(), ttl: { ...state().ttl, extra: true } } },
      {
        type: 'state',
        state: {
          ...state(),
          outcome: { kind: 'result', isError: false, blocks: [{ kind: 'image', mimeType: 'image/png', data: 'a"b' }], structuredContent: null, inOutput: [] },
        },
      },
      {
        type: 'state',
        state: {
          ...state(),
          outcome: { kind: 'result', isError: false, blocks: [{ kind: 'image', mimeType: 'text/html', data: 'AAAA' }], structuredContent: null, inOutput: [] },
        },
      },
      { type: 'state', state: state(), junk: 1 },
      { type: 'patch', patch: {} },
      { type: 'patch', patch: { tool: undefined } },
      { type: 'patch', patch: { junk: 1 } },
      { type: 'patch', patch: { attempt: 0 } },
      { type: 'output' },
      { type: 'output', chunk: '' },
      { type: 'output', chunk: 42 },
      { type: 'gone', why: 'extra' },
      { type: 'panel' },
      { type: 'panel', preview: 'yes' },
      { type: 'state', state: { ...state(), retention: { kind: 'until', until: iso(T0) } } },
      { type: 'state', state: { ...state(), outcome: { kind: 'error', code: -32603, message: 'x', data: null } } },
    ];
    for (const message of bad) rejects(HostToWebviewSchema, message);
  });

  it('accepts every webview → host message', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'command', command: 'cancel' },
      { type: 'command', command: 'retry' },
      { type: 'command', command: 'retryWithEdits' },
      { type: 'command', command: 'runAgain' },
      { type: 'command', command: 'copyId' },
      { type: 'command', command: 'copyJson' },
      { type: 'command', command: 'exportJson' },
      { type: 'command', command: 'showLog' },
      { type: 'command', command: 'answerInput' },
      { type: 'command', command: 'answerInput', key: 'k1' },
      { type: 'showTask', id: 'host-0' },
      { type: 'keepOpen' },
    ]) {
      accepts(WebviewToHostSchema, message);
    }
  });

  it('rejects malformed webview → host messages', () => {
    for (const message of [
      undefined,
      null,
      'ready',
      { type: 'Ready' },
      { type: 'ready', extra: 1 },
      { type: 'command' },
      { type: 'command', command: 'rm -rf' },
      { type: 'command', command: 'cancel', key: 'k1' },
      { type: 'command', command: 'answerInput', key: '' },
      { type: 'command', command: 'cancel', id: 'other-task' },
      { type: 'showTask' },
      { type: 'showTask', id: '' },
      { type: 'showTask', id: 7 },
      { type: 'cancel' },
      { type: 'keepOpen', id: 'other-task' },
    ]) {
      rejects(WebviewToHostSchema, message);
    }
  });
});

describe('ui/detail/detailHtml', () => {
  const options = {
    cspSource: 'https://x.vscode-cdn.net',
    nonce: 'n0nce',
    scriptUri: 'https://x/dist/webview.js',
    styleUri: 'https://x/media/detail.css',
    taskId: '"><script>alert(1)</script>',
  };

  it('uses exactly the strict CSP, with the nonce', () => {
    assert.equal(
      contentSecurityPolicy('https://x.vscode-cdn.net', 'n0nce'),
      "default-src 'none'; img-src https://x.vscode-cdn.net https: data:; style-src https://x.vscode-cdn.net; font-src https://x.vscode-cdn.net; script-src 'nonce-n0nce'",
    );
    const html = detailHtml(options);
    assert.ok(html.includes(`content="${contentSecurityPolicy('https://x.vscode-cdn.net', 'n0nce')}"`));
  });

  it('has one app root, one nonce script and no inline script or style, and escapes the task id', () => {
    const html = detailHtml(options);
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.ok(html.includes('<script nonce="n0nce" src="https://x/dist/webview.js"></script>'));
    assert.equal(html.match(/id="app"/g)?.length, 1);
    assert.ok(!/style=|<style/.test(html));
    assert.ok(html.includes('data-task-id="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
  });
});

describe('ui/detail/format', () => {
  it('formats durations and countdowns', () => {
    assert.equal(formatDuration(450), '450ms');
    assert.equal(formatDuration(12_345), '12.3s');
    assert.equal(formatDuration(187_000), '3m 07s');
    assert.equal(formatDuration(3_720_000), '1h 02m');
    assert.equal(formatDuration(-5), '0ms');
    assert.equal(formatCountdown(59_001), '1:00');
    assert.equal(formatCountdown(3_723_000), '1:02:03');
    assert.equal(formatCountdown(2 * 86_400_000 + 3 * 3_600_000), '2d 03h');
  });
});
