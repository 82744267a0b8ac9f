/**
 * Progress of a plain `tools/call` on the stateless wire: with a progress token the answer becomes
 * an event stream of `notifications/progress` ending with the response; without one it stays a
 * single JSON body.
 */
import assert from 'node:assert/strict';
import { type Json, meta, testServerPerTest } from './helpers';

describe('progress of a plain tools/call (2026-07-28)', function () {
  this.timeout(20_000);
  const server = testServerPerTest();

  async function call(progressToken?: string): Promise<{ contentType: string | null; messages: Json[] }> {
    const params = { name: 'test_tool_with_progress', arguments: {}, _meta: { ...meta({}), ...(progressToken ? { progressToken } : {}) } };
    const response = await fetch(server.http.url, {
      method: 'POST',
      headers: server.client.headersFor('tools/call', params),
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params }),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    const messages = contentType?.includes('text/event-stream')
      ? text
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => JSON.parse(line.slice(5)) as Json)
      : [JSON.parse(text) as Json];
    return { contentType, messages };
  }

  it('streams each status line as progress, then the response, when the request sent a progress token', async () => {
    const { contentType, messages } = await call('p-1');
    assert.match(contentType ?? '', /text\/event-stream/);
    const progress = messages.filter((message) => message.method === 'notifications/progress').map((message) => message.params);
    assert.deepEqual(
      progress.map((p) => [p.progressToken, p.progress, p.message]),
      [
        ['p-1', 1, 'Started'],
        ['p-1', 2, 'Halfway'],
        ['p-1', 3, 'Done'],
      ],
    );
    const last = messages[messages.length - 1];
    assert.equal(last.id, 7);
    assert.equal(last.result.resultType, 'complete');
  });

  it('answers with one JSON body without a progress token', async () => {
    const { contentType, messages } = await call();
    assert.match(contentType ?? '', /application\/json/);
    assert.equal(messages.length, 1);
    assert.equal(messages[0].result.resultType, 'complete');
  });
});
