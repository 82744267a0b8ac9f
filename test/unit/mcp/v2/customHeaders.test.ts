/**
 * Custom `Mcp-Param-*` headers (SEP-2243) on the stateless wire: a tool argument marked
 * `x-mcp-header` must be mirrored in its header, checked before the tool runs.
 */
import assert from 'node:assert/strict';
import { customHeadersOf } from '../../../../src/mcp/server/v2/customHeaders';
import { testServerPerTest } from './helpers';

const TOOL = 'test_custom_header';

describe('custom Mcp-Param headers (SEP-2243)', function () {
  this.timeout(20_000);
  const server = testServerPerTest();

  const call = (region: unknown, header: string | undefined) =>
    server.client.send('tools/call', { name: TOOL, arguments: { region } }, { capabilities: {}, headers: { 'mcp-param-region': header } });

  it('the tool lists its header on the argument', async () => {
    const tool = (await server.client.result('tools/list')).tools.find((candidate: { name: string }) => candidate.name === TOOL);
    assert.deepEqual(customHeadersOf(tool.inputSchema), [{ param: 'region', header: 'Region' }]);
  });

  it('accepts the header as a literal or as strict Base64, when it equals the argument', async () => {
    assert.equal((await call('eu-west', 'eu-west')).body.result.content[0].text, 'Region: eu-west');
    assert.equal((await call('Hello', `=?base64?${Buffer.from('Hello').toString('base64')}?=`)).status, 200);
    assert.equal((await call('=?base64?SGVsbG8=', '=?base64?SGVsbG8=')).status, 200, 'without the closing ?= it is a literal');
    assert.equal((await call('x', '  x  ')).status, 200, 'surrounding spaces are not part of the value');
  });

  it('refuses a missing, different or malformed header with 400 and -32020, before the tool runs', async () => {
    for (const [value, header, why] of [
      ['eu-west', undefined, /Mcp-Param-Region header is required/],
      ['eu-west', 'us-east', /does not match arguments.region/],
      ['Hello', '=?base64?SGVsbG8?=', /malformed/],
      ['Hello', '=?base64?SGVs!!!bG8=?=', /malformed/],
    ] as const) {
      const reply = await call(value, header);
      assert.equal(reply.status, 400, String(header));
      assert.equal(reply.body.error.code, -32020);
      assert.match(reply.body.error.message, why);
    }
  });

  it('tools without marked arguments need no extra header', async () => {
    const reply = await server.client.send('tools/call', { name: 'greet', arguments: { name: 'x' } }, { capabilities: {} });
    assert.equal(reply.status, 200);
  });
});
