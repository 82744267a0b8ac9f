/**
 * A 2025-11-25 task's open questions as a team server shows them to a principal other than the
 * owner (a board): `_meta["dev.tasklane/inputRequests"]` on get results and list items, read back
 * into `RemoteTaskState.inputRequests`; never for the owner (its session is asked), never from an
 * engine without a machine (not a team server), and only questions for a person.
 */
import assert from 'node:assert/strict';
import { META } from '../../../src/core/meta';
import type { EngineTask } from '../../../src/mcp/engine/engineTask';
import { fromWireTask, toWireListItem, toWireTask, toWireTaskResult } from '../../../src/mcp/wires/v1/codec';

const AT = '2026-06-01T12:00:00.000Z';
const QUESTION: { method: string; params: Record<string, unknown> } = {
  method: 'elicitation/create',
  params: { mode: 'form', message: 'Ship it?', requestedSchema: { type: 'object', properties: {} } },
};

function asking(fields: Partial<EngineTask> = {}): EngineTask {
  return {
    taskId: 't1',
    owner: 'alice',
    tool: 'ask',
    status: 'input_required',
    createdAt: AT,
    lastUpdatedAt: AT,
    ttl: 60_000,
    pollInterval: 500,
    inputRequests: new Map([
      ['input-1', QUESTION],
      ['input-2', { method: 'sampling/createMessage', params: { messages: [], maxTokens: 10 } }],
    ]),
    machine: 'build-7',
    ...fields,
  };
}

type Meta = Record<string, unknown> | undefined;

describe('mcp/wires: dev.tasklane/inputRequests, what a board reads of another principal’s question', () => {
  it('is on the get result and the list item for another principal, and read back as the task’s inputRequests (questions only)', () => {
    const result = toWireTaskResult(asking(), 'lead');
    assert.deepEqual((result._meta as Meta)?.[META.inputRequests], { 'input-1': QUESTION });
    const { _meta, ...item } = toWireListItem(asking(), 'lead') as ReturnType<typeof toWireTask> & { _meta?: Meta };
    assert.deepEqual(_meta?.[META.inputRequests], { 'input-1': QUESTION });
    assert.deepEqual(fromWireTask(item, _meta).inputRequests, { 'input-1': QUESTION });
    assert.deepEqual(fromWireTask(toWireTask(asking()), result._meta).inputRequests, { 'input-1': QUESTION });
  });

  it('is never sent to the owner, by a server without a machine, or once the question is closed; malformed entries are dropped', () => {
    assert.equal((toWireTaskResult(asking(), 'alice')._meta as Meta)?.[META.inputRequests], undefined);
    assert.equal(toWireTaskResult(asking({ machine: undefined }), 'lead')._meta, undefined);
    assert.equal((toWireTaskResult(asking({ status: 'working', inputRequests: new Map() }), 'lead')._meta as Meta)?.[META.inputRequests], undefined);
    const wire = toWireTask(asking());
    assert.equal(fromWireTask(wire, { [META.inputRequests]: { a: { method: 'elicitation/create' }, b: 'x' } }).inputRequests, undefined);
    assert.equal(fromWireTask({ ...wire, status: 'working' }, { [META.inputRequests]: { a: QUESTION } }).inputRequests, undefined);
  });
});
