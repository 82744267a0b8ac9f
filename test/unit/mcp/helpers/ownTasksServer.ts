/**
 * One HTTP task server with two agents (each token its own principal) and a client of each wire
 * for each agent, plus test tools whose work the test releases: what the idempotency-key and the
 * agent-tool tests share.
 */
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { TaskEngine } from '../../../../src/mcp/engine/taskEngine';
import { type RunningHttpServer, startHttpServer, tokenPrincipals } from '../../../../src/mcp/server/httpServer';
import { ToolCatalog } from '../../../../src/mcp/server/toolCatalog';
import { BUILTIN_TOOLS } from '../../../../src/mcp/server/builtinTools';
import { type ToolDefinition, defineTool } from '../../../../src/mcp/server/tools/toolDefinition';
import { CreateTaskResultSchema } from '../../../../src/mcp/wires/v1/codec';
import { type Json, V2Client, gate } from '../v2/helpers';

export const ALPHA = 'alpha-token';
export const BETA = 'beta-token';

/** Prints `first`, waits for its gate, prints `then` (if given), and completes with `done`. */
const chattyTool = defineTool({
  name: 'chatty',
  title: 'Chatty',
  description: 'Prints, waits for the test to open its gate, prints again, completes.',
  inputSchema: z.object({ gate: z.string(), first: z.string(), then: z.string().optional() }),
  annotations: {},
  taskSupport: 'optional',
  async run({ gate: name, first, then }, context) {
    context.output(first);
    await Promise.race([
      gate(name).promise,
      new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true })),
    ]);
    if (then !== undefined) context.output(then);
    return { content: [{ type: 'text', text: `done ${name}` }] };
  },
});

/** What one agent holds: a 2025-11-25 session and a 2026-07-28 client, both with its token. */
export interface Agent {
  readonly v1: Client;
  readonly v2: V2Client;
}

export interface OwnTasksServer {
  readonly engine: TaskEngine;
  readonly http: RunningHttpServer;
  readonly alpha: Agent;
  readonly beta: Agent;
  close(): Promise<void>;
}

export async function startOwnTasksServer(): Promise<OwnTasksServer> {
  const engine = new TaskEngine();
  const catalog = new ToolCatalog([...BUILTIN_TOOLS, chattyTool as unknown as ToolDefinition]);
  const http = await startHttpServer({ catalog, defaultCwd: process.cwd(), isTrusted: () => true }, engine, {
    authenticate: tokenPrincipals([ALPHA, BETA]),
  });
  const agent = async (token: string, name: string): Promise<Agent> => {
    const v1 = new Client({ name, version: '1' }, { capabilities: {} });
    await v1.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    return { v1, v2: new V2Client(http.url, token) };
  };
  const alpha = await agent(ALPHA, 'alpha');
  const beta = await agent(BETA, 'beta');
  return {
    engine,
    http,
    alpha,
    beta,
    close: async () => {
      await alpha.v1.close();
      await beta.v1.close();
      await http.close();
      engine.dispose();
    },
  };
}

/** Starts `chatty` as a task on the 2025-11-25 wire; returns the task id the CreateTaskResult names. */
export async function startV1(client: Client, args: Json, meta: Json = {}): Promise<string> {
  const created = await client.request(
    { method: 'tools/call', params: { name: 'chatty', arguments: args, task: { ttl: 60_000 }, _meta: meta } },
    CreateTaskResultSchema,
  );
  return created.task.taskId;
}

/** Starts `chatty` as a task on the 2026-07-28 wire; returns the task id. */
export async function startV2(client: V2Client, args: Json, meta: Json = {}): Promise<string> {
  const created = await client.callTool('chatty', args, { extra: { _meta: meta } });
  if (created.resultType !== 'task') throw new Error(`expected a task, got ${JSON.stringify(created)}`);
  return created.taskId as string;
}

/** A plain call's structured result on the 2025-11-25 wire (a tool error fails the test with its text). */
export async function callV1(client: Client, name: string, args: Json, options: { signal?: AbortSignal } = {}): Promise<Json> {
  const result = await client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema, options);
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Json;
}

/** A plain call's structured result on the 2026-07-28 wire. */
export async function callV2(client: V2Client, name: string, args: Json): Promise<Json> {
  const result = await client.callTool(name, args, { capabilities: { elicitation: {} } });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Json;
}

/** A plain call that must fail as a tool error, on either wire; returns its text. */
export async function toolErrorText(call: Promise<{ isError?: boolean; content?: unknown }>): Promise<string> {
  const result = await call;
  if (!result.isError) throw new Error(`expected a tool error, got ${JSON.stringify(result)}`);
  return (result.content as { text: string }[])[0].text;
}
