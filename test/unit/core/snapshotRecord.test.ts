import assert from 'node:assert/strict';
import { RECORD_FIELDS, SnapshotDecoder } from '../../../src/core/snapshotRecord';
import { TaskRecordSchema } from '../../../src/core/taskRecord';

const AT = '2025-06-01T12:00:00.000Z';
const LATER = '2025-06-01T12:00:05.000Z';

/** A record with every field the schema knows set, as the store writes it. */
function full(): Record<string, unknown> {
  return {
    serverId: 'tasklane',
    tool: 'run_command',
    arguments: { command: 'npm test', cwd: '/w', depth: 2 },
    intent: 'Run the tests',
    expectedOutputs: 'a summary',
    context: {
      workspace: 'w',
      cwd: '/w',
      agent: { name: 'Claude', id: 'a1', client: { name: 'cc', version: '2.1' }, version: '1', connection: 'editor', machine: 'build-7' },
    },
    priority: 5,
    resourceLimits: { timeBudgetMs: 1000, maxOutputBytes: 4096 },
    scheduling: { runAfter: AT, afterTaskId: 'x' },
    tags: ['ci', 'nightly'],
    ttl: 60_000,
    meta: { 'dev.example/key': { nested: true } },
    parentId: 'p',
    id: 'id-1',
    taskId: 'remote-1',
    startIntent: { at: AT },
    wire: '2025-11-25',
    status: 'failed',
    statusMessage: 'Exited with code 1',
    createdAt: AT,
    lastUpdatedAt: LATER,
    grantedTtl: null,
    pollInterval: 1000,
    attempt: 2,
    retryOf: 'id-0',
    retriedAs: 'id-2',
    result: { content: [{ type: 'text', text: 'x' }] },
    resultFile: { bytes: 3_000_000, preview: '{"content":[' },
    error: { code: -32603, message: 'broke', data: { why: 1 } },
    output: 'tail',
    pendingInput: [{ key: 'k', method: 'elicitation/create', params: { message: 'ok?' }, at: AT }],
    timeline: [
      { at: AT, status: 'working', message: 'Starting' },
      { at: LATER, message: 'half way' },
      { at: LATER, status: 'failed' },
    ],
    expired: true,
    archived: true,
    archivedAt: LATER,
    pinned: true,
    imported: true,
    queue: { position: 1, size: 3 },
    scheduleId: 'schedule-1',
    retry: { attempts: 3, backoff: 'exponential', delayMs: 1000, maxDelayMs: 8000 },
    retryReason: 'Automatic retry 2 of 3 after: Exited with code 1',
    retryDue: { at: LATER, attempt: 3, of: 3, failure: 'Exited with code 1' },
    steps: [
      { id: 'lint', label: 'lint', status: 'completed', startedAt: AT, endedAt: LATER, detail: 'exit code 0', depth: 1 },
      { id: 'build', label: 'build', status: 'working', startedAt: LATER },
    ],
  };
}

/** The least a record may hold: the schema fills in the rest. */
function minimal(): Record<string, unknown> {
  return { serverId: 's', tool: 't', id: 'id-2', status: 'working', createdAt: AT, lastUpdatedAt: AT };
}

type Edit = [what: string, edit: (r: Record<string, unknown>) => void];

const set =
  (path: string, value: unknown) =>
  (r: Record<string, unknown>): void => {
    const keys = path.split('.');
    let target = r as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    if (value === DELETE) delete target[keys.at(-1)!];
    else target[keys.at(-1)!] = value;
  };
const DELETE = Symbol('delete');

/** One change per rule the schema has (and a few it lets through): the decoder must agree on each. */
const EDITS: Edit[] = [
  ['unchanged', () => undefined],
  ...RECORD_FIELDS.map((field): Edit => [`${field} removed`, set(field, DELETE)]),
  ...RECORD_FIELDS.map((field): Edit => [`${field} null`, set(field, null)]),
  ...RECORD_FIELDS.map((field): Edit => [`${field} a number`, set(field, 7)]),
  ...RECORD_FIELDS.map((field): Edit => [`${field} a string`, set(field, 'text')]),
  ...RECORD_FIELDS.map((field): Edit => [`${field} a list`, set(field, [])]),
  ...RECORD_FIELDS.map((field): Edit => [`${field} an object`, set(field, {})]),
  ...RECORD_FIELDS.map((field): Edit => [`${field} true`, set(field, true)]),
  ['empty id', set('id', '')],
  ['empty serverId', set('serverId', '')],
  ['empty tool', set('tool', '')],
  ['unknown status', set('status', 'paused')],
  ['createdAt not a date', set('createdAt', 'yesterday')],
  ['lastUpdatedAt not a date', set('lastUpdatedAt', '2025-13-45T99:00:00.000Z')],
  ['archivedAt not a date', set('archivedAt', 'soon')],
  ['a date without time', set('createdAt', '2025-06-01')],
  ['priority out of range', set('priority', 101)],
  ['priority not whole', set('priority', 1.5)],
  ['priority lowest', set('priority', -100)],
  ['attempt zero', set('attempt', 0)],
  ['attempt not whole', set('attempt', 1.5)],
  ['ttl negative', set('ttl', -1)],
  ['ttl huge', set('ttl', 2 ** 60)],
  ['grantedTtl a number', set('grantedTtl', 10)],
  ['pollInterval fractional', set('pollInterval', 0.5)],
  ['timeline entry bad date', set('timeline', [{ at: 'no' }])],
  ['timeline entry bad status', set('timeline', [{ at: AT, status: 'paused' }])],
  ['timeline entry number message', set('timeline', [{ at: AT, message: 3 }])],
  ['timeline entry not an object', set('timeline', ['x'])],
  ['timeline entry extra field', set('timeline', [{ at: AT, extra: 1 }])],
  ['timeline entry at a third time', set('timeline', [{ at: '2025-06-02T00:00:00.000Z', status: 'working' }])],
  ['tags with a number', set('tags', ['a', 1])],
  ['arguments a list', set('arguments', ['a'])],
  ['meta a list', set('meta', [1])],
  ['context.cwd a number', set('context.cwd', 1)],
  ['context extra field', set('context.extra', 'x')],
  ['agent without name', set('context.agent.name', DELETE)],
  ['agent extra field', set('context.agent.extra', 'x')],
  ['agent client without name', set('context.agent.client.name', DELETE)],
  ['agent client extra field', set('context.agent.client.extra', 1)],
  ['agent version a number', set('context.agent.version', 1)],
  ['agent machine a number', set('context.agent.machine', 7)],
  ['resourceLimits zero budget', set('resourceLimits.timeBudgetMs', 0)],
  ['resourceLimits extra field', set('resourceLimits.extra', 1)],
  ['scheduling bad runAfter', set('scheduling.runAfter', 'later')],
  ['scheduling extra field', set('scheduling.extra', 1)],
  ['startIntent bad date', set('startIntent.at', 'x')],
  ['startIntent extra field', set('startIntent.extra', 1)],
  ['error code fractional', set('error.code', 1.5)],
  ['error without message', set('error.message', DELETE)],
  ['error extra field', set('error.extra', 1)],
  ['steps with a bad status', set('steps', [{ id: 'a', label: 'a', status: 'paused' }])],
  ['steps with an empty id', set('steps', [{ id: '', label: 'a', status: 'working' }])],
  ['steps with a bad date', set('steps', [{ id: 'a', label: 'a', status: 'working', startedAt: 'soon' }])],
  ['steps with a negative depth', set('steps', [{ id: 'a', label: 'a', status: 'working', depth: -1 }])],
  ['steps with an extra field', set('steps', [{ id: 'a', label: 'a', status: 'working', extra: 1 }])],
  [
    'steps more than the bound',
    set(
      'steps',
      Array.from({ length: 201 }, (_, i) => ({ id: `s${i}`, label: 's', status: 'completed' })),
    ),
  ],
  ['queue position zero', set('queue.position', 0)],
  ['queue extra field', set('queue.extra', 1)],
  ['resultFile bytes negative', set('resultFile.bytes', -1)],
  ['resultFile bytes fractional', set('resultFile.bytes', 1.5)],
  ['resultFile bytes zero', set('resultFile.bytes', 0)],
  ['resultFile without preview', set('resultFile.preview', DELETE)],
  ['resultFile extra field', set('resultFile.extra', 1)],
  ['pendingInput params a list', set('pendingInput', [{ key: 'k', method: 'm', params: [], at: AT }])],
  ['pendingInput without key', set('pendingInput', [{ method: 'm', params: {}, at: AT }])],
  ['pendingInput extra field', set('pendingInput', [{ key: 'k', method: 'm', params: {}, at: AT, extra: 1 }])],
  ['retry policy with defaults only', set('retry', { attempts: 2 })],
  ['retry policy empty', set('retry', {})],
  ['retry attempts zero', set('retry.attempts', 0)],
  ['retry backoff unknown', set('retry.backoff', 'linear')],
  ['retry delay negative', set('retry.delayMs', -1)],
  ['retry extra field', set('retry.extra', 1)],
  ['retryDue bad date', set('retryDue.at', 'soon')],
  ['retryDue attempt one', set('retryDue.attempt', 1)],
  ['retryDue without failure', set('retryDue.failure', DELETE)],
  ['a field the schema does not know', set('futureField', { x: 1 })],
];

describe('core/snapshotRecord', () => {
  it('reads every field TaskRecordSchema has, and no other', () => {
    assert.deepEqual([...RECORD_FIELDS].sort(), Object.keys(TaskRecordSchema.shape).sort());
  });

  for (const [base, make] of [
    ['a full record', full],
    ['a minimal record', minimal],
  ] as const) {
    it(`accepts and rejects exactly what TaskRecordSchema does, and reads the same record (${base})`, () => {
      const decoder = new SnapshotDecoder();
      let rejected = 0;
      for (const [what, edit] of EDITS) {
        const value = make();
        edit(value);
        // Both read the same freshly parsed line: the decoder keeps what it is given.
        const line = JSON.stringify(value);
        const expected = TaskRecordSchema.safeParse(JSON.parse(line));
        const actual = decoder.decode(JSON.parse(line));
        assert.equal(actual !== undefined, expected.success, `${base}, ${what}: the schema ${expected.success ? 'accepts' : 'rejects'} it`);
        if (expected.success) assert.deepEqual(actual, expected.data, `${base}, ${what}: the same record`);
        else rejected++;
      }
      assert.ok(rejected > 50, `the edits reach the checks (${rejected} rejected)`);
    });
  }

  it('shares empty lists and objects between records, frozen, and drops nothing a record holds', () => {
    const decoder = new SnapshotDecoder();
    const a = decoder.decode(JSON.parse(JSON.stringify({ ...minimal(), tags: [], arguments: {} })))!;
    const b = decoder.decode(JSON.parse(JSON.stringify({ ...minimal(), id: 'other' })))!;
    assert.equal(a.tags, b.tags);
    assert.equal(a.arguments, b.arguments);
    assert.equal(a.pendingInput, b.pendingInput);
    assert.equal(a.context, b.context);
    assert.ok(Object.isFrozen(a.tags) && Object.isFrozen(a.meta), 'a shared empty cannot be changed under another record');
    assert.throws(() => (a.tags as string[]).push('x'), TypeError);
    const c = decoder.decode(JSON.parse(JSON.stringify(full())))!;
    assert.deepEqual(c, TaskRecordSchema.parse(full()));
  });
});
