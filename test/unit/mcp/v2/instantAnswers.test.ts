/**
 * Work that completes at once on the extension wire: the server decides per request whether a
 * `tools/call` becomes a task (docs/mcp-tasks.md §1B.1: it MAY answer with `CreateTaskResult`
 * instead of `CallToolResult`, at its discretion), and answers such work with its result. Work
 * that waits on a timer, fails or asks a question is still a task.
 */
import assert from 'node:assert/strict';
import { z } from 'zod';
import { defineTool, type ToolDefinition } from '../../../../src/mcp/server/tools/toolDefinition';
import { CONFORMANCE_TOOLS } from '../../../../src/mcp/server/tools/fixtures';
import { NON_DECLARING, TEST_TOOLS, testServerPerTest } from './helpers';

const INSTANT_TOOLS = [
  defineTool({
    name: 'instant',
    title: 'Instant',
    description: 'Returns its text at once.',
    inputSchema: z.object({ text: z.string() }),
    annotations: {},
    taskSupport: 'optional',
    async run({ text }) {
      return { content: [{ type: 'text', text }] };
    },
  }),
  defineTool({
    name: 'instant_error',
    title: 'Instant error',
    description: 'Returns a tool error at once.',
    inputSchema: z.object({}),
    annotations: {},
    taskSupport: 'optional',
    async run() {
      return { content: [{ type: 'text', text: 'no luck' }], isError: true };
    },
  }),
] as unknown as readonly ToolDefinition[];

describe('extension wire: work that completes at once is answered inline', function () {
  this.timeout(20_000);
  const server = testServerPerTest({ tools: [...CONFORMANCE_TOOLS, ...TEST_TOOLS, ...INSTANT_TOOLS] });

  it('a task-capable tool that completes at once is answered with its CallToolResult (resultType "complete"), not a task', async () => {
    const answer = await server.client.callTool('instant', { text: 'at once' });
    assert.equal(answer.resultType, 'complete');
    assert.deepEqual(answer.content, [{ type: 'text', text: 'at once' }]);
    assert.equal(answer.taskId, undefined, 'no task fields beside the result');
    // The same answer a client that does not declare the extension gets.
    const plain = await server.client.callTool('instant', { text: 'at once' }, { capabilities: NON_DECLARING });
    assert.deepEqual(answer, plain);
  });

  it('a tool error result at once is answered inline too, with isError (it would have completed the task: T-S-41)', async () => {
    const answer = await server.client.callTool('instant_error');
    assert.equal(answer.resultType, 'complete');
    assert.equal(answer.isError, true);
  });

  it('work that waits on a timer, fails or asks a question is still a task', async () => {
    for (const [name, args] of [
      ['slow_compute', { seconds: 0 }],
      ['crash', {}],
      ['confirm_delete', { filename: 'x.txt' }],
    ] as const) {
      const answer = await server.client.callTool(name, args);
      assert.equal(answer.resultType, 'task', `${name}: ${JSON.stringify(answer)}`);
    }
  });
});
