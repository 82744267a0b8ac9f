/**
 * The stateless 2026-07-28 framing around the extension: malformed JSON-RPC and the codes it gets,
 * per-request `_meta`, version and header checks, discovery, removed methods, MRTR, HTTP status.
 */
import assert from 'node:assert/strict';
import { isStatelessRequest } from '../../../../src/mcp/server/v2/statelessHttp';
import { decodeHeaderValue, encodeHeaderValue } from '../../../../src/mcp/wires/v2/protocol';
import { type Json, NON_DECLARING, PROTOCOL, TASKS, type TestServer, meta, startTestServer } from './helpers';

describe('stateless 2026-07-28 framing', function () {
  this.timeout(20_000);
  let server: TestServer;
  const headers = (method: string, extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    'mcp-protocol-version': PROTOCOL,
    'mcp-method': method,
    ...extra,
  });

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  describe('malformed JSON-RPC', () => {
    it('a body that is not JSON is -32700 Parse error (HTTP 400, id null)', async () => {
      const reply = await server.client.raw('{"jsonrpc": "2.0", "id": 1, "method": ', headers('tools/list'));
      assert.equal(reply.status, 400);
      assert.deepEqual({ code: reply.body.error.code, id: reply.body.id }, { code: -32700, id: null });
    });

    it('a batch is -32600 Invalid Request', async () => {
      const reply = await server.client.raw(
        JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta() } }]),
        headers('tools/list'),
      );
      assert.equal(reply.status, 400);
      assert.equal(reply.body.error.code, -32600);
    });

    it('a request with the wrong jsonrpc version or no method is -32600, echoing the id', async () => {
      const wrongVersion = await server.client.raw(
        JSON.stringify({ jsonrpc: '1.0', id: 7, method: 'tools/list', params: { _meta: meta() } }),
        headers('tools/list'),
      );
      assert.deepEqual({ code: wrongVersion.body.error.code, id: wrongVersion.body.id, status: wrongVersion.status }, { code: -32600, id: 7, status: 400 });
      const noMethod = await server.client.raw(JSON.stringify({ jsonrpc: '2.0', id: 'x', params: {} }), headers('tools/list'));
      assert.deepEqual({ code: noMethod.body.error.code, id: noMethod.body.id }, { code: -32600, id: 'x' });
      const badId = await server.client.raw(
        JSON.stringify({ jsonrpc: '2.0', id: { no: 1 }, method: 'tools/list', params: { _meta: meta() } }),
        headers('tools/list'),
      );
      assert.equal(badId.body.error.code, -32600);
    });

    it('a request without _meta, or with _meta lacking protocolVersion or clientCapabilities, is -32602 (HTTP 400)', async () => {
      const noMeta = await server.client.send('server/discover', {}, { noMeta: true, id: 101 });
      assert.deepEqual({ status: noMeta.status, code: noMeta.body.error.code, id: noMeta.body.id }, { status: 400, code: -32602, id: 101 });
      const { 'io.modelcontextprotocol/clientCapabilities': _caps, ...noCaps } = meta();
      const reply = await server.client.send('server/discover', { _meta: noCaps }, { noMeta: true });
      assert.equal(reply.body.error.code, -32602);
      const { 'io.modelcontextprotocol/clientInfo': _info, ...noInfo } = meta();
      assert.equal((await server.client.send('server/discover', { _meta: noInfo }, { noMeta: true })).status, 200, 'clientInfo is optional');
    });

    it('bad params for a method are -32602 with the field named', async () => {
      const noName = await server.client.send('tools/call', { arguments: {} });
      assert.equal(noName.body.error.code, -32602);
      assert.match(noName.body.error.message, /name/);
      const unknownTool = await server.client.send('tools/call', { name: 'no_such_tool', arguments: {} });
      assert.equal(unknownTool.body.error.code, -32602);
      const badArgs = await server.client.send('tools/call', { name: 'slow_compute', arguments: { seconds: 'soon' } });
      assert.equal(badArgs.body.error.code, -32602);
      const noTaskId = await server.client.send('tasks/get', {});
      assert.equal(noTaskId.body.error.code, -32602);
      const badResponses = await server.client.send('tasks/update', { taskId: 'x', inputResponses: [] });
      assert.equal(badResponses.body.error.code, -32602);
    });

    it('an unknown method is -32601 (HTTP 404); so are the methods 2026-07-28 removed', async () => {
      for (const method of ['unknown/method', 'initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'tasks/list']) {
        const reply = await server.client.send(method, {});
        assert.deepEqual({ status: reply.status, code: reply.body.error.code }, { status: 404, code: -32601 }, method);
      }
    });

    it('a notification is accepted with 202 and no body', async () => {
      const response = await fetch(server.http.url, {
        method: 'POST',
        headers: headers('notifications/cancelled'),
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }),
      });
      assert.equal(response.status, 202);
      assert.equal(await response.text(), '');
    });

    it('a malformed answer to an open question is -32602 and leaves the question open', async () => {
      const created = await server.client.callTool('confirm_delete', { filename: 'x' });
      const waiting = await server.client.poll(created.taskId, (t) => t.status === 'input_required');
      const [key] = Object.keys(waiting.inputRequests);
      const reply = await server.client.send('tasks/update', { taskId: created.taskId, inputResponses: { [key]: { action: 'maybe' } } });
      assert.equal(reply.body.error.code, -32602);
      assert.deepEqual(Object.keys((await server.client.getTask(created.taskId)).inputRequests), [key]);
      await server.client.result('tasks/cancel', { taskId: created.taskId });
    });
  });

  describe('versions and headers', () => {
    it('a version header that differs from _meta is -32020 HeaderMismatch (HTTP 400)', async () => {
      const reply = await server.client.send('server/discover', { _meta: meta(undefined, 'v999.0.0') }, { noMeta: true });
      assert.deepEqual({ status: reply.status, code: reply.body.error.code }, { status: 400, code: -32020 });
    });

    it('an unsupported version is -32022 with data.supported and data.requested (HTTP 400)', async () => {
      const reply = await server.client.send(
        'server/discover',
        { _meta: meta(undefined, 'v999.0.0') },
        { noMeta: true, headers: { 'mcp-protocol-version': 'v999.0.0' } },
      );
      assert.equal(reply.status, 400);
      assert.equal(reply.body.error.code, -32022);
      assert.deepEqual(reply.body.error.data, { supported: [PROTOCOL, '2025-11-25'], requested: 'v999.0.0' });
    });

    it('_meta naming 2026-07-28 without the MCP-Protocol-Version header is -32020', async () => {
      const reply = await server.client.send('tools/list', {}, { headers: { 'mcp-protocol-version': undefined } });
      assert.equal(reply.body.error.code, -32020);
    });

    it('Mcp-Method must be present and equal the body method, case-sensitively', async () => {
      assert.equal((await server.client.send('tools/list', {}, { headers: { 'mcp-method': undefined } })).body.error.code, -32020);
      assert.equal((await server.client.send('tools/list', {}, { headers: { 'mcp-method': 'prompts/list' } })).body.error.code, -32020);
      assert.equal((await server.client.send('tools/list', {}, { headers: { 'mcp-method': 'TOOLS/LIST' } })).body.error.code, -32020);
      assert.equal((await server.client.send('tools/list', {}, { headers: { 'mcp-method': ' tools/list ' } })).status, 200);
    });

    it('tools/call needs Mcp-Name equal to params.name', async () => {
      assert.equal((await server.client.send('tools/call', { name: 'greet', arguments: {} }, { headers: { 'mcp-name': undefined } })).body.error.code, -32020);
      assert.equal((await server.client.send('tools/call', { name: 'greet', arguments: {} }, { headers: { 'mcp-name': 'wrong' } })).body.error.code, -32020);
    });

    it('Base64-sentinel header values: strict decoding, literal otherwise, and round-trip', () => {
      assert.equal(decodeHeaderValue('=?base64?SGVsbG8=?='), 'Hello');
      assert.equal(decodeHeaderValue('=?base64?SGVsbG8?='), undefined, 'bad padding');
      assert.equal(decodeHeaderValue('=?base64?SGVs!!!bG8=?='), undefined, 'bad characters');
      assert.equal(decodeHeaderValue('SGVsbG8='), 'SGVsbG8=', 'no sentinel: literal');
      assert.equal(decodeHeaderValue('=?base64?SGVsbG8='), '=?base64?SGVsbG8=', 'no suffix: literal');
      for (const value of ['plain-id', 'ünïcödé', ' padded ', 'a\nb', '=?base64?x?=']) assert.equal(decodeHeaderValue(encodeHeaderValue(value)), value, value);
      assert.equal(encodeHeaderValue('plain-id'), 'plain-id');
    });

    it('a GET with the 2026-07-28 version is 405: no sessions, no standalone stream', async () => {
      const response = await fetch(server.http.url, { headers: { 'mcp-protocol-version': PROTOCOL } });
      assert.equal(response.status, 405);
    });

    it('routes by era: 2026-07-28 by header or _meta, initialize and 2025 headers to sessions', () => {
      assert.equal(isStatelessRequest({ 'mcp-protocol-version': PROTOCOL }, {}), true);
      assert.equal(isStatelessRequest({ 'mcp-protocol-version': 'v999.0.0' }, {}), true);
      assert.equal(isStatelessRequest({ 'mcp-protocol-version': '2025-11-25' }, { params: { _meta: meta() } }), false);
      assert.equal(isStatelessRequest({}, { method: 'tools/list', params: { _meta: meta() } }), true);
      assert.equal(
        isStatelessRequest({}, { method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } }),
        false,
      );
    });

    it('the bearer token is required on this wire too', async () => {
      const secured = await startTestServer({ token: 'right' });
      try {
        const anonymous = await secured.client.raw(
          JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta() } }),
          headers('server/discover'),
        );
        assert.equal(anonymous.status, 401);
        assert.equal((await secured.client.send('server/discover')).status, 200);
      } finally {
        await secured.close();
      }
    });
  });

  describe('discovery and tools', () => {
    it('server/discover lists the versions, the tasks extension and who we are', async () => {
      const discover = await server.client.result('server/discover', {}, { capabilities: {} });
      assert.deepEqual(discover.supportedVersions, [PROTOCOL, '2025-11-25']);
      assert.deepEqual(discover.capabilities, { tools: {}, extensions: { [TASKS]: {} } });
      assert.equal(discover.resultType, 'complete');
      assert.equal(discover.cacheScope, 'private');
      assert.equal(discover.ttlMs, 0);
      assert.equal(discover._meta['io.modelcontextprotocol/serverInfo'].name, 'tasklane');
    });

    it('tools/list carries no execution.taskSupport (the server decides), plus caching hints', async () => {
      const list = await server.client.result('tools/list', {}, { capabilities: {} });
      assert.equal(list.resultType, 'complete');
      assert.ok(list.tools.length > 0);
      for (const tool of list.tools as Json[]) {
        assert.equal(tool.execution, undefined, tool.name);
        assert.equal(tool.inputSchema.type, 'object', tool.name);
      }
      assert.equal(list.tools[0].name, 'greet');
    });

    it('a synchronous tools/call result has resultType "complete"', async () => {
      const result = await server.client.callTool('greet', { name: 'Lin' }, { capabilities: NON_DECLARING });
      assert.deepEqual(result, { content: [{ type: 'text', text: 'Hello, Lin!' }], resultType: 'complete' });
    });
  });

  describe('MRTR (input_required results)', () => {
    it('asks with input_required, then completes when the answer comes back in inputResponses', async () => {
      const round1 = await server.client.callTool('test_input_required_result_elicitation');
      assert.equal(round1.resultType, 'input_required');
      assert.equal(round1.inputRequests.user_name.method, 'elicitation/create');
      assert.ok(!('requestState' in round1));
      const round2 = await server.client.callTool(
        'test_input_required_result_elicitation',
        {},
        { extra: { inputResponses: { user_name: { action: 'accept', content: { name: 'Alice' } } } } },
      );
      assert.deepEqual(round2, { content: [{ type: 'text', text: 'Hello, Alice!' }], resultType: 'complete' });
    });

    it('asking needs the matching client capability: without it, -32021 names it', async () => {
      const reply = await server.client.send(
        'tools/call',
        { name: 'test_input_required_result_sampling', arguments: {} },
        { capabilities: { elicitation: {} } },
      );
      assert.equal(reply.body.error.code, -32021);
      assert.deepEqual(reply.body.error.data, { requiredCapabilities: { sampling: {} } });
      const roots = await server.client.send('tools/call', { name: 'test_input_required_result_list_roots', arguments: {} }, { capabilities: {} });
      assert.deepEqual(roots.body.error.data, { requiredCapabilities: { roots: {} } });
    });

    it('a malformed answer is -32602; extra params are ignored', async () => {
      const bad = await server.client.send('tools/call', {
        name: 'test_input_required_result_elicitation',
        arguments: {},
        inputResponses: { user_name: { action: 'perhaps' } },
      });
      assert.equal(bad.body.error.code, -32602);
      const extra = await server.client.callTool('greet', { name: 'x' }, { extra: { somethingNew: { a: 1 } } });
      assert.equal(extra.resultType, 'complete');
    });
  });
});
