import * as assert from 'node:assert/strict';
import { type CheckedMessage, type TaskMemory, flagsOf } from '../../../../src/mcp/wires/checks/wireChecks';
import { WIRE_V1 } from '../../../../src/mcp/wires/v1/codec';
import { WIRE_V2 } from '../../../../src/mcp/wires/v2/codec';

const ISO = '2026-12-06T23:00:00.000Z';
const v1Task = { taskId: 't1', status: 'working', createdAt: ISO, lastUpdatedAt: ISO, ttl: 60_000 };
const v2Task = { resultType: 'task', taskId: 't1', status: 'working', createdAt: ISO, lastUpdatedAt: ISO, ttlMs: 60_000 };
const nothingFinished: TaskMemory = { terminalStatusOf: () => undefined };
const finished = (status: string): TaskMemory => ({ terminalStatusOf: () => status });

function rules(checked: Omit<CheckedMessage, 'taskId'>, memory = nothingFinished): string[] {
  return flagsOf({ taskId: 't1', ...checked }, memory).map((flag) => flag.rule);
}

const response = (wire: string, method: string, result: unknown): Omit<CheckedMessage, 'taskId'> => ({
  wire,
  kind: 'response',
  method,
  message: { jsonrpc: '2.0', id: 1, result },
});
const error = (wire: string, method: string, code: number): Omit<CheckedMessage, 'taskId'> => ({
  wire,
  kind: 'error',
  method,
  message: { jsonrpc: '2.0', id: 1, error: { code, message: 'no' } },
});

describe('Wire checks (the task checklist, per message)', () => {
  it('a well-formed task on either wire breaks nothing', () => {
    assert.deepEqual(rules(response(WIRE_V1, 'tools/call', { task: v1Task })), []);
    assert.deepEqual(rules(response(WIRE_V1, 'tasks/get', v1Task)), []);
    assert.deepEqual(rules(response(WIRE_V1, 'tasks/get', { ...v1Task, ttl: null })), []);
    assert.deepEqual(rules(response(WIRE_V2, 'tools/call', v2Task)), []);
    assert.deepEqual(rules(response(WIRE_V2, 'tasks/get', { ...v2Task, resultType: 'complete' })), []);
  });

  it('T-S-09: a 2025-11-25 task without ttl', () => {
    const { ttl: _dropped, ...noTtl } = v1Task;
    void _dropped;
    assert.deepEqual(rules(response(WIRE_V1, 'tasks/get', noTtl)), ['T-S-09']);
    assert.deepEqual(rules(response(WIRE_V1, 'tools/call', { task: noTtl })), ['T-S-09']);
  });

  it('T-S-29: an extension CreateTaskResult without ttlMs, or with timestamps that are not ISO 8601', () => {
    const { ttlMs: _dropped, ...noTtl } = v2Task;
    void _dropped;
    assert.deepEqual(rules(response(WIRE_V2, 'tools/call', noTtl)), ['T-S-29']);
    assert.deepEqual(rules(response(WIRE_V2, 'tools/call', { ...v2Task, createdAt: '1733526000' })), ['T-S-29']);
  });

  it('T-S-08: a 2025-11-25 createdAt or lastUpdatedAt that is not ISO 8601, in any task it returns', () => {
    assert.deepEqual(rules(response(WIRE_V1, 'tasks/get', { ...v1Task, lastUpdatedAt: 'yesterday' })), ['T-S-08']);
    assert.deepEqual(rules({ wire: WIRE_V1, kind: 'notification', method: 'notifications/tasks/status', message: { params: { ...v1Task, createdAt: 1 } } }), [
      'T-S-08',
    ]);
    assert.deepEqual(rules(response(WIRE_V1, 'tasks/get', { ...v1Task, createdAt: '2026-12-06T23:00:00+01:00' })), []);
  });

  it('T-S-07: a terminal status that changes afterwards (either wire, answer or notification)', () => {
    assert.deepEqual(rules(response(WIRE_V1, 'tasks/get', { ...v1Task, status: 'working' }), finished('completed')), ['T-S-07']);
    assert.deepEqual(rules(response(WIRE_V1, 'tasks/get', { ...v1Task, status: 'completed' }), finished('completed')), []);
    assert.deepEqual(
      rules({ wire: WIRE_V2, kind: 'event', method: 'notifications/tasks', message: { params: { ...v2Task, status: 'failed' } } }, finished('cancelled')),
      ['T-S-07'],
    );
  });

  it('T-S-13: a tasks/result answer without the related-task _meta, or naming another task', () => {
    const related = (taskId: string) => ({ 'io.modelcontextprotocol/related-task': { taskId } });
    assert.deepEqual(rules(response(WIRE_V1, 'tasks/result', { content: [] })), ['T-S-13']);
    assert.deepEqual(rules(response(WIRE_V1, 'tasks/result', { content: [], _meta: related('t2') })), ['T-S-13']);
    assert.deepEqual(rules(response(WIRE_V1, 'tasks/result', { content: [], _meta: related('t1') })), []);
  });

  it('T-S-21: tasks/get or tasks/cancel refused with a code other than -32602 (or -32603)', () => {
    assert.deepEqual(rules(error(WIRE_V1, 'tasks/get', -32000)), ['T-S-21']);
    assert.deepEqual(rules(error(WIRE_V1, 'tasks/cancel', -32601)), ['T-S-21']);
    assert.deepEqual(rules(error(WIRE_V1, 'tasks/get', -32602)), []);
    assert.deepEqual(rules(error(WIRE_V1, 'tasks/get', -32603)), []);
    // tasks/result answers a failed task with the task's own error (T-S-11): any code.
    assert.deepEqual(rules(error(WIRE_V1, 'tasks/result', -32000)), []);
  });

  it('T-S-18: tasks/cancel of a finished task refused with a code other than -32602', () => {
    assert.deepEqual(rules(error(WIRE_V1, 'tasks/cancel', -32000), finished('completed')), ['T-S-18']);
  });

  it('T-S-37: an extension tasks/get refused with a code other than -32602', () => {
    assert.deepEqual(rules(error(WIRE_V2, 'tasks/get', -32001)), ['T-S-37']);
    assert.deepEqual(rules(error(WIRE_V2, 'tasks/get', -32602)), []);
  });
});
