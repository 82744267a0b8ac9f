/**
 * The sealed `requestState` of MRTR rounds (src/mcp/server/v2/requestState.ts): it opens only
 * unaltered, for the call it was issued for, before it expires, and in the process that sealed it.
 */
import assert from 'node:assert/strict';
import { RequestStateSeal } from '../../../../src/mcp/server/v2/requestState';
import { RpcError } from '../../../../src/mcp/rpcError';

const CALL = { owner: 'local', method: 'tools/call', name: 'tool', args: { a: 1, b: { c: [1, 2] } } };

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, -32602);
    return error.message;
  }
  assert.fail('the state opened');
}

describe('requestState sealing (MRTR)', () => {
  it('opens to what was sealed, for the same call, also with its arguments in another key order', () => {
    const seal = new RequestStateSeal();
    const sealed = seal.seal({ round: 2, name: 'Alice' }, CALL);
    assert.equal(typeof sealed, 'string');
    assert.doesNotMatch(sealed, /Alice/, 'the state is not readable in plain text');
    assert.deepEqual(seal.open(sealed, { ...CALL, args: { b: { c: [1, 2] }, a: 1 } }), { round: 2, name: 'Alice' });
  });

  it('refuses a state that was altered anywhere, or is not ours at all', () => {
    const seal = new RequestStateSeal();
    const sealed = seal.seal({ round: 1 }, CALL);
    const [payload, signature] = sealed.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), s: { round: 9 } })).toString('base64url');
    assert.match(
      refusal(() => seal.open(`${sealed}-TAMPERED`, CALL)),
      /integrity check.*not issued by this server/,
    );
    assert.match(
      refusal(() => seal.open(`${forged}.${signature}`, CALL)),
      /not issued by this server/,
    );
    assert.match(
      refusal(() => seal.open('opaque-state-1', CALL)),
      /not issued by this server/,
    );
    assert.match(
      refusal(() => new RequestStateSeal().open(sealed, CALL)),
      /not issued by this server/,
      'another process (another key) refuses it',
    );
  });

  it('refuses a state issued for another caller, tool or arguments', () => {
    const seal = new RequestStateSeal();
    const sealed = seal.seal({ round: 1 }, CALL);
    for (const other of [{ owner: 'someone-else' }, { name: 'other_tool' }, { method: 'prompts/get' }, { args: { a: 2, b: { c: [1, 2] } } }])
      assert.match(
        refusal(() => seal.open(sealed, { ...CALL, ...other })),
        /another call/,
        JSON.stringify(other),
      );
  });

  it('refuses a state older than an hour', () => {
    let now = 1_000_000;
    const seal = new RequestStateSeal(undefined, () => now);
    const sealed = seal.seal('x', CALL);
    now += 59 * 60 * 1000;
    assert.equal(seal.open(sealed, CALL), 'x');
    now += 2 * 60 * 1000;
    assert.match(
      refusal(() => seal.open(sealed, CALL)),
      /expired/,
    );
  });
});
