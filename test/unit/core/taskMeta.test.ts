import assert from 'node:assert/strict';
import { META } from '../../../src/core/meta';
import { InvalidTaskMetaError, isReservedMetaKey, taskFieldsOf, taskMetaOf } from '../../../src/core/taskMeta';
import { TaskRecordSchema, TaskSpecSchema, agentDescription, agentKey, agentName } from '../../../src/core/taskRecord';

describe('core/taskMeta: one mapping between a task spec and _meta', () => {
  const spec = TaskSpecSchema.parse({
    serverId: 's',
    tool: 't',
    intent: 'intent value',
    expectedOutputs: 'expected value',
    priority: 42,
    resourceLimits: { timeBudgetMs: 1234, maxOutputBytes: 5678 },
    scheduling: { runAfter: '2030-01-01T00:00:00.000Z', afterTaskId: 'after-id' },
    context: { workspace: '/w', cwd: '/w/c' },
    tags: ['one', 'two'],
    meta: { 'com.example/x': { deep: [1, 2] }, plain: 'kept' },
  });

  it('reads back every field it writes, so a task sent by _meta is recorded as it was specified', () => {
    const { serverId: _s, tool: _t, arguments: _a, ttl: _ttl, parentId: _p, ...fields } = spec;
    assert.deepEqual(taskFieldsOf(taskMetaOf(spec, { parentTaskId: 'parent', retryOf: 'previous' })), fields);
  });

  it('writes the related tasks under their own keys and leaves empty values out', () => {
    const meta = taskMetaOf(TaskSpecSchema.parse({ serverId: 's', tool: 't' }), { parentTaskId: 'parent-id', retryOf: 'retry-id' });
    assert.deepEqual(meta, { [META.parentTaskId]: 'parent-id', [META.retryOf]: 'retry-id' });
  });

  it("treats MCP's and Tasklane's keys as theirs, everything else as the caller's", () => {
    for (const key of ['progressToken', 'io.modelcontextprotocol/clientInfo', 'dev.mcp/anything', 'org.modelcontextprotocol.api/x', 'dev.tasklane/queue'])
      assert.equal(isReservedMetaKey(key), true, key);
    for (const key of ['com.example/ticket', 'mcp/x', 'io.example.mcp/x', 'plain']) assert.equal(isReservedMetaKey(key), false, key);
  });

  it('names the key of a value that does not fit its field', () => {
    assert.throws(
      () => taskFieldsOf({ [META.priority]: 101 }),
      (error: unknown) => error instanceof InvalidTaskMetaError && error.key === META.priority,
    );
    assert.throws(
      () => taskFieldsOf({ [META.scheduling]: { runAfter: 'tomorrow' } }),
      (error: unknown) => error instanceof InvalidTaskMetaError && error.key === META.scheduling,
    );
  });
});

describe('core/taskRecord: who a task is shown as', () => {
  const base = { id: 'r', serverId: 's', tool: 't', status: 'working', createdAt: '2030-01-01T00:00:00.000Z', lastUpdatedAt: '2030-01-01T00:00:00.000Z' };

  it("is the token's agent, with the client and the connection as detail", () => {
    const record = TaskRecordSchema.parse({
      ...base,
      context: {
        agent: { name: 'probe-agent', id: 'probe-agent-1a2b3c', client: { name: 'probe-agent-client', version: '1.2.3' }, connection: 'http session 1f3a' },
      },
    });
    assert.equal(agentName(record), 'probe-agent');
    assert.equal(agentKey(record), 'id:probe-agent-1a2b3c');
    assert.equal(agentDescription(record), 'probe-agent (probe-agent-client 1.2.3) via http session 1f3a');
  });

  it("is the Editor for the editor's own work, and a record from before tokens named agents reads as it did", () => {
    const own = TaskRecordSchema.parse(base);
    assert.deepEqual([agentName(own), agentKey(own), agentDescription(own)], ['Editor', 'editor', 'Editor']);
    const older = TaskRecordSchema.parse({ ...base, context: { agent: { name: 'claude-code', version: '2.1', connection: 'http stateless' } } });
    assert.deepEqual([agentName(older), agentKey(older), agentDescription(older)], ['claude-code', 'name:claude-code', 'claude-code 2.1 via http stateless']);
  });
});
