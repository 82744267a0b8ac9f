/**
 * Interop matrix: `@modelcontextprotocol/ext-tasks` (the official generation-agnostic tasks
 * requester) on `@modelcontextprotocol/client` 2.x, against our standalone server over
 * Streamable HTTP, on both generations it speaks: 2025-11-25 (v1: a legacy `initialize` session,
 * the SDK's own transport) and the `io.modelcontextprotocol/tasks` extension (v2: the 2.x client
 * negotiates 2026-07-28 with `server/discover`; ext-tasks sends task traffic through the host's
 * `rawDispatch`, as its README requires, which we implement on `fetch`).
 *
 * Both packages are ESM-only; this suite is compiled to CommonJS, so they are loaded with a real
 * dynamic `import()`.
 *
 * With TASKLANE_INTEROP_STRICT=1 (scripts/interop-table.mjs) every operation must succeed with the
 * package's defaults. Without it (the unit suite) the one known mismatch is accepted as exactly
 * that: ext-tasks 0.2.2's default v2 result codec requires `resultType: "complete"` inside a
 * completed task's `result`, which our server (like the extension spec's own example) leaves out.
 */
import assert from 'node:assert/strict';
import { encodeHeaderValue } from '../../../src/mcp/wires/v2/protocol';
import { type OurServer, startOurServer } from '../mcp/v2client/helpers';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Any>;

const EXT = 'io.modelcontextprotocol/tasks';
const STRICT = process.env.TASKLANE_INTEROP_STRICT === '1';
const tag = (wire: string, op: string) => `[interop ext-tasks>tasklane-server ${wire} ${op}]`;
const CLIENT_INFO = { name: 'ext-tasks-interop', version: '1.0.0' };
const TOKEN = 'ext-tasks-token';

interface SeenInput {
  readonly request: Any;
  readonly context: Any;
}

/** The host-owned request path ext-tasks needs for v2 task traffic: one framed JSON-RPC POST per request. */
function rawDispatchFor(url: string) {
  let nextId = 1;
  return async (request: Any, options: Any = {}) => {
    const body = { jsonrpc: '2.0', id: `ext-${nextId++}`, ...request };
    const headers = new Headers({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': body.method,
      authorization: `Bearer ${TOKEN}`,
    });
    const name = body.method === 'tools/call' ? body.params?.name : body.params?.taskId;
    if (typeof name === 'string') headers.set('mcp-name', encodeHeaderValue(name));
    // ext-tasks sends its own routing headers (Mcp-Name for tasks/*) in the dispatch context.
    for (const [key, value] of Object.entries(options.context?.headers ?? {})) headers.set(key, String(value));
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: options.signal });
    const json = (await response.json()) as Any;
    return json.error ? { kind: 'error', error: json.error } : { kind: 'result', result: json.result };
  };
}

for (const generation of ['v1', 'v2'] as const) {
  const wire = generation === 'v1' ? '2025-11-25' : EXT;

  describe(`interop matrix: @modelcontextprotocol/ext-tasks × Tasklane server (${wire})`, function () {
    this.timeout(20_000);
    let server: OurServer;
    let client: Any;
    let session: Any;
    let waitTaskId: string;
    let waitExecution: Any;
    const inputs: SeenInput[] = [];

    before(async () => {
      server = await startOurServer({ token: TOKEN });
      const sdk = await importEsm('@modelcontextprotocol/client');
      const ext = await importEsm('@modelcontextprotocol/ext-tasks/client');
      client = new sdk.Client(CLIENT_INFO, {
        capabilities: { elicitation: { form: {} } },
        versionNegotiation: { mode: generation === 'v2' ? 'auto' : 'legacy' },
      });
      await client.connect(new sdk.StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
      session = ext.createTaskSessionFromClient(client, {
        endpointId: `tasklane-${generation}`,
        ...(generation === 'v2'
          ? {
              rawDispatch: rawDispatchFor(server.url),
              v2RequestFraming: { protocolVersion: '2026-07-28', clientInfo: CLIENT_INFO, clientCapabilities: { elicitation: { form: {} } } },
            }
          : {}),
        onInputRequest: async (request: Any, context: Any) => {
          inputs.push({ request, context });
          return { action: 'accept', content: { answer: 'from ext-tasks' } };
        },
      });
    });

    after(async () => {
      await session?.close().catch(() => undefined);
      await client?.close().catch(() => undefined);
      await server?.close();
    });

    it(`${tag(wire, 'create')} callTool creates a task (negotiated ${generation === 'v2' ? '2026-07-28 via server/discover' : 'a 2025-11-25 session'})`, async () => {
      assert.equal(client.getProtocolEra(), generation === 'v2' ? 'modern' : 'legacy');
      assert.equal(session.capabilities.execution, true);
      waitExecution = await session.callTool('wait', { durationMs: 300, message: 'ext-tasks' }, { task: { preference: 'prefer' } });
      assert.equal(waitExecution.kind, 'task');
      waitTaskId = waitExecution.handle.taskId;
      assert.ok(waitTaskId);
    });

    it(`${tag(wire, 'get')} a task controller's snapshot reads it (tasks/get)`, async () => {
      const view = await session.task(waitTaskId).snapshot();
      assert.equal(view.taskId, waitTaskId);
      assert.ok(['working', 'completed'].includes(view.status));
    });

    it(`${tag(wire, 'result')} settle() yields the completed result with the package's default result codec`, async () => {
      const { outcome } = await waitExecution.settle();
      const expected = [{ type: 'text', text: 'ext-tasks' }];
      if (outcome.status === 'completed' || STRICT || generation === 'v1') {
        const seen = outcome.task
          ? `; the server's own snapshot says "${outcome.task.status}" with result.resultType ${JSON.stringify(outcome.task.raw?.result?.resultType) ?? 'absent'}`
          : '';
        assert.equal(outcome.status, 'completed', `ext-tasks settled "${outcome.status}" (${outcome.error?.message ?? 'no error'})${seen}`);
        assert.deepEqual(outcome.result.content, expected);
        return;
      }
      // The known v2 mismatch, and only it: the task completed on the server with the right
      // result, and ext-tasks refused that result because it has no resultType.
      assert.equal(outcome.status, 'failed');
      assert.match(outcome.error.message, /schema validation/);
      assert.equal(outcome.task.status, 'completed');
      assert.deepEqual(outcome.task.raw.result.content, expected);
      assert.equal(outcome.task.raw.result.resultType, undefined);
    });

    if (generation === 'v1') {
      it(`${tag(wire, 'list')} listTasks includes the task (tasks/list)`, async () => {
        assert.equal(session.capabilities.inventory, 'server-list');
        const page = await session.listTasks();
        assert.ok(page.tasks.some((t: Any) => t.taskId === waitTaskId));
      });
    } else {
      it(`${tag(wire, 'list')} [n.a.: the extension has no tasks/list] ext-tasks knows only its own handles`, async () => {
        assert.equal(session.capabilities.inventory, 'known-handles');
        await assert.rejects(session.listTasks(), /not supported/);
      });
    }

    it(`${tag(wire, 'cancel')} cancel() (tasks/cancel) ends a running task cancelled`, async () => {
      const execution = await session.callTool('wait', { durationMs: 60_000 }, { task: { preference: 'prefer' } });
      assert.equal(execution.kind, 'task');
      await execution.cancel();
      const { outcome } = await execution.settle();
      assert.equal(outcome.status, 'cancelled');
      assert.equal((await session.task(execution.handle.taskId).snapshot()).status, 'cancelled');
    });

    it(`${tag(wire, 'input')} ask: the question reaches onInputRequest (${generation === 'v2' ? 'inputRequests → tasks/update' : 'elicitation/create tied to the task'}) and the answer completes the task`, async () => {
      const before = inputs.length;
      const execution = await session.callTool('ask', { question: 'Which package?' });
      assert.equal(execution.kind, 'task');
      const { outcome } = await execution.settle();
      const asked = inputs.slice(before);
      assert.equal(asked.length, 1, 'asked exactly once');
      assert.equal(asked[0].request.kind, 'elicitation');
      assert.equal(asked[0].request.params.message, 'Which package?');
      assert.equal(asked[0].context.scope, 'task');
      assert.equal(asked[0].context.taskId, execution.handle.taskId);
      assert.equal(asked[0].context.delivery, generation === 'v2' ? 'task-update' : 'peer-request');
      // The server's own view of the end: completed with the answer.
      const view = await session.task(execution.handle.taskId).snapshot();
      assert.equal(view.status, 'completed');
      const text = generation === 'v1' ? outcome.result.content[0].text : view.raw.result.content[0].text;
      assert.equal(text, 'from ext-tasks');
    });
  });
}
