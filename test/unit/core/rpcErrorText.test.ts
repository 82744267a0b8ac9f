import assert from 'node:assert/strict';
import { describeRpcError, plainRpcError, stripRpcPrefix } from '../../../src/core/rpcErrorText';

describe('core/rpcErrorText', () => {
  it("says what a JSON-RPC code means, with the server's message", () => {
    assert.equal(describeRpcError({ code: -32602, message: 'Unknown tool: nope' }), "The server did not accept the request's parameters: Unknown tool: nope");
    assert.equal(describeRpcError({ code: -32603, message: 'disk full' }), 'The server hit an internal error: disk full');
    assert.equal(describeRpcError({ code: -32601, message: 'Method not found' }), 'The server does not offer this operation');
    assert.equal(describeRpcError({ code: -32001, message: 'Request timed out' }), 'The server reported an error: Request timed out');
    assert.equal(describeRpcError({ code: 7, message: 'odd' }), 'The request failed: odd');
  });

  it('never shows the raw code in the words, and drops SDK prefixes and bare code names', () => {
    const plain = plainRpcError({ code: -32603, message: 'MCP error -32603: MCP error -32603: boom' });
    assert.deepEqual(plain, { meaning: 'The server hit an internal error', message: 'boom', code: -32603 });
    assert.equal(plainRpcError({ code: -32603, message: 'Internal error.' }).message, '');
    for (const code of [-32700, -32600, -32601, -32602, -32603, -32020, -32021, -32000, 1]) {
      assert.doesNotMatch(describeRpcError({ code, message: 'Internal error' }), /-?\d{3,}/, `code ${code}`);
    }
    assert.equal(stripRpcPrefix('MCP error -32602: bad'), 'bad');
  });
});
