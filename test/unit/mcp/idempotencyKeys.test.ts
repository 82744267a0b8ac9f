/**
 * Idempotency keys (`dev.tasklane/idempotencyKey`) on both wires: a start with a key that names
 * the same owner's unfinished task returns that task; another owner's key, or a key whose task
 * has ended, starts new work; two starts at once make one task.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { META } from '../../../src/core/meta';
import { IdempotencyKeys } from '../../../src/mcp/engine/idempotencyKeys';
import { gate } from './v2/helpers';
import { type OwnTasksServer, startOwnTasksServer, startV1, startV2 } from './helpers/ownTasksServer';

const keyed = (key: string) => ({ [META.idempotencyKey]: key });

describe('idempotency keys', function () {
  this.timeout(20_000);
  let server: OwnTasksServer;

  beforeEach(async () => {
    server = await startOwnTasksServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const wires = [
    { wire: '2025-11-25', start: (agent: 'alpha' | 'beta', args: object, meta: object) => startV1(server[agent].v1, args, meta) },
    { wire: '2026-07-28', start: (agent: 'alpha' | 'beta', args: object, meta: object) => startV2(server[agent].v2, args, meta) },
  ];

  for (const { wire, start } of wires) {
    describe(`on ${wire}`, () => {
      it('a second start with the key of a live task returns that task and creates nothing', async () => {
        const name = randomUUID();
        const first = await start('alpha', { gate: name, first: 'x' }, keyed('build-1'));
        const second = await start('alpha', { gate: name, first: 'x' }, keyed('build-1'));
        assert.equal(second, first);
        assert.equal(server.engine.all().length, 1);
        gate(name).open();
      });

      it("another owner's start with the same key is a task of its own", async () => {
        const name = randomUUID();
        const mine = await start('alpha', { gate: name, first: 'x' }, keyed('shared-key'));
        const theirs = await start('beta', { gate: name, first: 'x' }, keyed('shared-key'));
        assert.notEqual(theirs, mine);
        assert.deepEqual(new Set(server.engine.all().map((task) => task.owner)).size, 2);
        gate(name).open();
      });

      it('once the task has ended, the key starts new work', async () => {
        const name = randomUUID();
        const first = await start('alpha', { gate: name, first: 'x' }, keyed('nightly'));
        gate(name).open();
        await server.engine.waitForTerminal(server.engine.peek(first)!.owner, first);
        const again = await start('alpha', { gate: randomUUID(), first: 'x' }, keyed('nightly'));
        assert.notEqual(again, first);
        assert.equal(server.engine.peek(again)?.status, 'working');
      });

      it('two starts with the same key at once make one task', async () => {
        const name = randomUUID();
        const [a, b] = await Promise.all([
          start('alpha', { gate: name, first: 'x' }, keyed('together')),
          start('alpha', { gate: name, first: 'x' }, keyed('together')),
        ]);
        assert.equal(a, b);
        assert.equal(server.engine.all().length, 1);
        gate(name).open();
      });

      it('a key that is not a short string is -32602, and nothing is created', async () => {
        await assert.rejects(start('alpha', { gate: randomUUID(), first: 'x' }, { [META.idempotencyKey]: 42 }), /idempotencyKey/);
        await assert.rejects(start('alpha', { gate: randomUUID(), first: 'x' }, keyed('k'.repeat(257))), /idempotencyKey/);
        assert.equal(server.engine.all().length, 0);
      });
    });
  }

  it('one owner, both wires: a key is the same key whichever wire the start came on', async () => {
    const name = randomUUID();
    const onOld = await startV1(server.alpha.v1, { gate: name, first: 'x' }, keyed('cross'));
    const onNew = await startV2(server.alpha.v2, { gate: name, first: 'x' }, keyed('cross'));
    assert.equal(onNew, onOld);
    gate(name).open();
  });

  it('the index frees a key when its task ends, and only the task that holds it frees it', () => {
    const keys = new IdempotencyKeys();
    keys.claim('alpha', 'k', 'task-1');
    assert.equal(keys.find('alpha', 'k'), 'task-1');
    assert.equal(keys.find('beta', 'k'), undefined);
    keys.claim('alpha', 'k', 'task-2');
    keys.release('task-1');
    assert.equal(keys.find('alpha', 'k'), 'task-2', 'an older holder leaving does not free a newer one');
    keys.release('task-2');
    assert.equal(keys.size, 0);
  });
});
