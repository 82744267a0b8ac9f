/**
 * MRTR beyond one question, on the wire (the conformance fixtures of mrtrRoundFixtures.ts): state
 * kept between rounds in the sealed requestState, several rounds, several kinds of question at
 * once, and questions only of the kinds the request declared.
 */
import assert from 'node:assert/strict';
import { type Json, testServerPerTest } from './helpers';

const accept = (content: Json) => ({ action: 'accept', content });

describe('MRTR rounds with requestState (2026-07-28)', function () {
  this.timeout(20_000);
  const server = testServerPerTest();

  it('sends a sealed requestState with the questions and runs once it comes back intact', async () => {
    const round1 = await server.client.callTool('test_input_required_result_request_state');
    assert.equal(round1.resultType, 'input_required');
    assert.equal(typeof round1.requestState, 'string');
    assert.deepEqual(Object.keys(round1.inputRequests), ['confirm']);
    const round2 = await server.client.callTool(
      'test_input_required_result_request_state',
      {},
      { extra: { inputResponses: { confirm: accept({ ok: true }) }, requestState: round1.requestState } },
    );
    assert.equal(round2.resultType, 'complete');
    assert.match(round2.content[0].text, /state-ok/);
  });

  it('refuses an altered requestState with -32602 (HTTP 400), and does not run the tool', async () => {
    const round1 = await server.client.callTool('test_input_required_result_tampered_state');
    const reply = await server.client.send('tools/call', {
      name: 'test_input_required_result_tampered_state',
      arguments: {},
      inputResponses: { confirm: accept({ ok: true }) },
      requestState: `${round1.requestState as string}-TAMPERED`,
    });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.error.code, -32602);
    assert.match(reply.body.error.message, /requestState failed its integrity check/);
  });

  it('a state is bound to its call: echoed to another tool it is refused', async () => {
    const round1 = await server.client.callTool('test_input_required_result_request_state');
    const reply = await server.client.send('tools/call', {
      name: 'test_input_required_result_tampered_state',
      arguments: {},
      inputResponses: { confirm: accept({ ok: true }) },
      requestState: round1.requestState,
    });
    assert.equal(reply.body.error.code, -32602);
    assert.match(reply.body.error.message, /another call/);
  });

  it('asks again in a second round with a new state, carrying the first answer in it', async () => {
    const name = 'test_input_required_result_multi_round';
    const round1 = await server.client.callTool(name);
    assert.deepEqual(Object.keys(round1.inputRequests), ['step1']);
    const round2 = await server.client.callTool(
      name,
      {},
      { extra: { inputResponses: { step1: accept({ name: 'Alice' }) }, requestState: round1.requestState } },
    );
    assert.equal(round2.resultType, 'input_required');
    assert.deepEqual(Object.keys(round2.inputRequests), ['step2']);
    assert.notEqual(round2.requestState, round1.requestState);
    const round3 = await server.client.callTool(
      name,
      {},
      { extra: { inputResponses: { step2: accept({ color: 'blue' }) }, requestState: round2.requestState } },
    );
    assert.deepEqual(round3, { content: [{ type: 'text', text: 'Alice likes blue.' }], resultType: 'complete' });
  });

  it('asks three kinds of question at once and completes when all three are answered', async () => {
    const name = 'test_input_required_result_multiple_inputs';
    const round1 = await server.client.callTool(name, {}, { capabilities: { elicitation: {}, sampling: {}, roots: {} } });
    assert.deepEqual(
      Object.values(round1.inputRequests as Json)
        .map((request) => request.method)
        .sort(),
      ['elicitation/create', 'roots/list', 'sampling/createMessage'],
    );
    const answers = {
      user_name: accept({ name: 'Alice' }),
      greeting: { role: 'assistant', content: { type: 'text', text: 'Hello there!' }, model: 'm', stopReason: 'endTurn' },
      client_roots: { roots: [{ uri: 'file:///r', name: 'R' }] },
    };
    const round2 = await server.client.callTool(
      name,
      {},
      { capabilities: { elicitation: {}, sampling: {}, roots: {} }, extra: { inputResponses: answers, requestState: round1.requestState } },
    );
    assert.deepEqual(round2.content, [{ type: 'text', text: 'Hello there! Alice; roots: file:///r' }]);
  });

  it('asks only what the request declared it can answer', async () => {
    const name = 'test_input_required_result_capabilities';
    const methods = async (capabilities: Json) =>
      Object.values((await server.client.callTool(name, {}, { capabilities })).inputRequests as Json).map((r) => r.method);
    assert.deepEqual(await methods({ elicitation: {}, sampling: {} }), ['elicitation/create']);
    assert.deepEqual(await methods({ sampling: {} }), ['sampling/createMessage']);
    assert.deepEqual(await methods({ roots: {} }), ['roots/list']);
    const none = await server.client.send('tools/call', { name, arguments: {} }, { capabilities: {} });
    assert.equal(none.body.error.code, -32021);
  });
});
