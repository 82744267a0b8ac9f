/**
 * The conformance server's prompts, resources and completions (server extras, served from the
 * fixtures), on both wires: through the SDK 1.x client on a 2025-11-25 session, and by hand on
 * the stateless 2026-07-28 wire, where a prompt may also ask first (MRTR).
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, type Notification } from '@modelcontextprotocol/sdk/types.js';
import { startHttpServer } from '../../../src/mcp/server/httpServer';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { CONFORMANCE_EXTRAS, CONFORMANCE_TOOLS } from '../../../src/mcp/server/tools/fixtures';
import { waitFor } from '../helpers/waitFor';
import { type Json, V2Client } from '../mcp/v2/helpers';

describe('conformance server extras: prompts, resources, completions', function () {
  this.timeout(20_000);
  let close: () => Promise<void>;
  let url: string;

  beforeEach(async () => {
    const engine = new TaskEngine();
    const host = { catalog: new ToolCatalog(CONFORMANCE_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true, extras: CONFORMANCE_EXTRAS };
    const http = await startHttpServer(host, engine, {});
    url = http.url;
    close = async () => {
      await http.close();
      engine.dispose();
    };
  });
  afterEach(async () => {
    await close();
  });

  describe('on a 2025-11-25 session', () => {
    let client: Client;
    const notifications: Notification[] = [];

    beforeEach(async () => {
      client = new Client({ name: 'legacy', version: '1' }, { capabilities: {} });
      client.fallbackNotificationHandler = async (notification) => void notifications.push(notification);
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    });
    afterEach(async () => {
      notifications.length = 0;
      await client.close();
    });

    it('declares prompts, resources with subscriptions, completions and logging', () => {
      const capabilities = client.getServerCapabilities()!;
      assert.ok(capabilities.prompts && capabilities.completions && capabilities.logging);
      assert.equal(capabilities.resources?.subscribe, true);
    });

    it('lists and renders prompts, filling in their arguments', async () => {
      const names = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
      assert.ok(names.includes('test_simple_prompt') && names.includes('test_prompt_with_arguments'));
      const rendered = await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'one', arg2: 'two' } });
      assert.deepEqual(rendered.messages[0].content, { type: 'text', text: "Prompt with arguments: arg1='one', arg2='two'" });
      await assert.rejects(client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'one' } }), /arg2/);
      await assert.rejects(client.getPrompt({ name: 'test_input_required_result_prompt' }), /only protocol 2026-07-28/);
    });

    it('reads text, binary and templated resources; an unknown one is -32602 naming the URI', async () => {
      const text = (await client.readResource({ uri: 'test://static-text' })).contents[0] as { text: string };
      assert.equal(text.text, 'This is the content of the static text resource.');
      assert.equal((await client.readResource({ uri: 'test://static-binary' })).contents[0].mimeType, 'image/png');
      const templated = (await client.readResource({ uri: 'test://template/42/data' })).contents[0] as { text: string };
      assert.deepEqual(JSON.parse(templated.text), { id: '42', templateTest: true, data: 'Data for ID: 42' });
      assert.deepEqual(
        (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate),
        ['test://template/{id}/data'],
      );
      await assert.rejects(client.readResource({ uri: 'test://nowhere' }), (error: { code: number; data: unknown }) => {
        assert.equal(error.code, -32602);
        assert.deepEqual(error.data, { uri: 'test://nowhere' });
        return true;
      });
      await client.subscribeResource({ uri: 'test://watched-resource' });
      await client.unsubscribeResource({ uri: 'test://watched-resource' });
      await assert.rejects(client.subscribeResource({ uri: 'test://nowhere' }), /not found/);
    });

    it('completes prompt arguments, and accepts a log level', async () => {
      const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' }, argument: { name: 'arg1', value: 'pa' } });
      assert.deepEqual(completion.completion.values, ['paris', 'park', 'party']);
      assert.deepEqual(await client.setLoggingLevel('info'), {});
    });

    it('a plain tool call may log, and the level the client set drops what is below it', async () => {
      const logged = () => notifications.filter((n) => n.method === 'notifications/message').map((n) => (n.params as { data: string }).data);
      await client.setLoggingLevel('info');
      await client.callTool({ name: 'test_tool_with_logging', arguments: {} }, CallToolResultSchema);
      await waitFor(() => logged().length === 3, { what: 'three log messages' });
      assert.deepEqual(logged(), ['Tool execution started', 'Tool processing data', 'Tool execution completed']);
      notifications.length = 0;
      await client.setLoggingLevel('error');
      await client.callTool({ name: 'test_tool_with_logging', arguments: {} }, CallToolResultSchema);
      // Messages arrive in order: once the next call's three are in, any from the call above would be too.
      await client.setLoggingLevel('info');
      await client.callTool({ name: 'test_tool_with_logging', arguments: {} }, CallToolResultSchema);
      await waitFor(() => logged().includes('Tool execution completed'), { what: 'the second call to log' });
      assert.equal(logged().length, 3, 'the call at level error sent nothing: info is below it');
    });

    it('a plain tool call with a progress token reports each status line as progress', async () => {
      const progress: number[] = [];
      await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, CallToolResultSchema, {
        onprogress: (update) => progress.push(update.progress),
      });
      assert.deepEqual(progress, [1, 2, 3]);
    });
  });

  describe('on the stateless 2026-07-28 wire', () => {
    let v2: V2Client;

    beforeEach(() => {
      v2 = new V2Client(url);
    });

    it('declares prompts, resources and completions, without the 2025-11-25-only subscriptions and logging', async () => {
      const { capabilities } = await v2.result('server/discover');
      assert.deepEqual(capabilities.resources, { listChanged: false });
      assert.ok(capabilities.prompts && capabilities.completions);
      assert.equal(capabilities.logging, undefined);
      assert.equal((await v2.send('resources/subscribe', { uri: 'test://watched-resource' })).body.error.code, -32601);
      assert.equal((await v2.send('logging/setLevel', { level: 'info' })).body.error.code, -32601);
    });

    it('lists and reads carry caching hints; results carry resultType', async () => {
      for (const [method, params] of [
        ['prompts/list', {}],
        ['resources/list', {}],
        ['resources/templates/list', {}],
        ['resources/read', { uri: 'test://static-text' }],
      ] as const) {
        const result = await v2.result(method, params);
        assert.equal(result.ttlMs, 0, method);
        assert.equal(result.cacheScope, 'private', method);
        assert.equal(result.resultType, 'complete', method);
      }
      const missing = await v2.send('resources/read', { uri: 'test://nowhere' });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body.error.data, { uri: 'test://nowhere' });
    });

    it('a prompt may ask first: input_required, then the prompt built from the answer', async () => {
      const round1 = await v2.result('prompts/get', { name: 'test_input_required_result_prompt' });
      assert.equal(round1.resultType, 'input_required');
      assert.equal((round1.inputRequests as Json).user_context.method, 'elicitation/create');
      const round2 = await v2.result('prompts/get', {
        name: 'test_input_required_result_prompt',
        inputResponses: { user_context: { action: 'accept', content: { context: 'a test' } } },
      });
      assert.equal(round2.resultType, 'complete');
      assert.deepEqual(round2.messages[0].content, { type: 'text', text: 'Use this context: a test' });
      const refused = await v2.send('prompts/get', { name: 'test_input_required_result_prompt' }, { capabilities: {} });
      assert.equal(refused.body.error.code, -32021, 'it asks only a client that declared elicitation');
    });
  });
});
