/**
 * The conformance-mode fixture tools, checked on their own: what the suite's scenarios require of
 * each (shared/docs/interop.md), and that they also behave on a 2025-11-25 session.
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { CONFORMANCE_TOOLS } from '../../../src/mcp/server/tools/fixtures';
import { isMrtrTool } from '../../../src/mcp/server/tools/mrtr';
import { type TestServer, startTestServer } from '../mcp/v2/helpers';

describe('conformance fixtures', function () {
  this.timeout(20_000);

  it('offers every tool the suite calls, greet first (the header checks call the first tool with no arguments)', () => {
    const names = CONFORMANCE_TOOLS.map((tool) => tool.name);
    assert.equal(names[0], 'greet');
    const required = ['greet', 'slow_compute', 'failing_job', 'protocol_error_job', 'confirm_delete', 'multi_input', 'test_tool_with_task'];
    const core = [
      'test_input_required_result_elicitation',
      'test_input_required_result_sampling',
      'test_input_required_result_list_roots',
      'test_input_required_result_request_state',
      'test_input_required_result_multiple_inputs',
      'test_input_required_result_multi_round',
      'test_input_required_result_tampered_state',
      'test_input_required_result_capabilities',
      'test_missing_capability',
      'test_streaming_elicitation',
      'test_logging_tool',
      'test_simple_text',
      'test_image_content',
      'test_audio_content',
      'test_embedded_resource',
      'test_multiple_content_types',
      'test_error_handling',
      'test_tool_with_logging',
      'test_tool_with_progress',
      'json_schema_2020_12_tool',
      'test_custom_header',
      'test_elicitation',
      'test_sampling',
      'test_elicitation_sep1034_defaults',
      'test_elicitation_sep1330_enums',
    ];
    for (const name of [...required, ...core]) assert.ok(names.includes(name), name);
    assert.equal(CONFORMANCE_TOOLS[0].inputSchema.safeParse({}).success, true);
  });

  it('lists the JSON Schema 2020-12 fixture with every keyword the suite looks for', () => {
    const listed = new ToolCatalog(CONFORMANCE_TOOLS).list().find((tool) => tool.name === 'json_schema_2020_12_tool')!.inputSchema as Record<string, unknown>;
    assert.equal(listed.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(listed.additionalProperties, false);
    assert.equal((listed.$defs as { address: { $anchor: string } }).address.$anchor, 'addressDef');
    assert.deepEqual((listed.properties as Record<string, unknown>).address, { $ref: '#/$defs/address' });
    for (const keyword of ['allOf', 'if', 'then', 'else']) assert.ok(keyword in listed, keyword);
  });

  it('declares task support as the scenarios expect', () => {
    const support = Object.fromEntries(CONFORMANCE_TOOLS.map((tool) => [tool.name, tool.taskSupport]));
    assert.equal(support.greet, 'forbidden');
    assert.equal(support.slow_compute, 'optional');
    assert.equal(support.failing_job, 'required');
    assert.equal(support.protocol_error_job, 'required');
    assert.equal(support.test_tool_with_task, 'required');
    assert.ok(isMrtrTool(CONFORMANCE_TOOLS.find((tool) => tool.name === 'test_tool_with_task')!));
  });

  it('are not among the normal tools, and run no commands', () => {
    const normal = new Set(BUILTIN_TOOLS.map((tool) => tool.name));
    for (const tool of CONFORMANCE_TOOLS) {
      assert.ok(!normal.has(tool.name), tool.name);
      assert.ok(!tool.runsCommands, tool.name);
    }
  });

  describe('on a 2025-11-25 session', () => {
    let server: TestServer;
    let client: Client;

    beforeEach(async () => {
      server = await startTestServer();
      client = new Client({ name: 'legacy', version: '1' }, { capabilities: { elicitation: { form: {} }, sampling: {} } });
      client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Bea', confirm: true } }));
      client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
        const asked = request.params.messages[0].content;
        const prompt = !Array.isArray(asked) && asked.type === 'text' ? asked.text : '?';
        return { role: 'assistant', content: { type: 'text', text: `you said ${prompt}` }, model: 'echo', stopReason: 'endTurn' };
      });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.http.url)));
    });
    afterEach(async () => {
      await client.close();
      await server.close();
    });

    it('greet, and the MRTR elicitation fixture, fall back to asking in the call', async () => {
      const greet = await client.callTool({ name: 'greet', arguments: {} }, CallToolResultSchema);
      assert.deepEqual(greet.content, [{ type: 'text', text: 'Hello, World!' }]);
      const asked = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} }, CallToolResultSchema);
      assert.deepEqual(asked.content, [{ type: 'text', text: 'Hello, Bea!' }]);
      const sampling = await client.callTool({ name: 'test_input_required_result_sampling', arguments: {} }, CallToolResultSchema);
      assert.equal(sampling.isError, true, 'sampling through MRTR has no 2025-11-25 equivalent here');
    });

    it("a plain call may ask the client's language model in the middle of the call (sampling)", async () => {
      const result = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } }, CallToolResultSchema);
      assert.deepEqual(result.content, [{ type: 'text', text: 'LLM response: you said hi' }]);
    });
  });
});
