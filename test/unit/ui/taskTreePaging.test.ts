import assert from 'node:assert/strict';
import { ChangeCoalescer } from '../../../src/core/changeCoalescer';
import type { TaskChanges } from '../../../src/core/lifecycleEvents';
import { TaskStore } from '../../../src/core/taskStore';
import { type MoreNode, type Redraw, TaskTreeModel, type TaskTreeNode } from '../../../src/ui/tree/taskTreeModel';
import { ViewMirror } from '../helpers/viewMirror';

const PAGE = 3;

/** A store, a model paged by three, and a view that follows the model's redraws batch by batch. */
function setup() {
  let clock = Date.UTC(2026, 5, 1, 12);
  const store = new TaskStore({ now: () => (clock += 1000) });
  // The view's clock stands still, so rows fetched at different times say the same.
  const viewClock = () => Date.UTC(2026, 5, 1, 13);
  const changes = new ChangeCoalescer(store.onDidLifecycle, 60_000);
  const model = new TaskTreeModel(store, 'status', false, (id) => id, viewClock, PAGE);
  const batches: TaskChanges[] = [];
  const subscription = changes.onDidChange((batch) => batches.push(batch));
  const mirror = new ViewMirror(model);
  /** Takes the pending batch; answers what the model asked to redraw. */
  const flush = (): Redraw[] => {
    changes.flush();
    const redraws = batches.splice(0).map((batch) => model.apply(batch));
    for (const redraw of redraws) mirror.redraw(redraw);
    return redraws;
  };
  const start = (count: number, parentId?: string) =>
    Array.from({ length: count }, (_, i) => store.create({ serverId: 's', tool: 'build', arguments: { command: `job ${i}` }, parentId }).id);
  const group = (key: string) => model.children().find((node) => node.kind === 'group' && node.key === key)!;
  const fresh = () => {
    const other = new TaskTreeModel(store, 'status', false, (id) => id, viewClock, PAGE);
    other.setPageLimits(model.pageLimits());
    return new ViewMirror(other).lines();
  };
  const dispose = () => {
    subscription.dispose();
    changes.dispose();
  };
  return { store, model, mirror, flush, start, group, fresh, dispose };
}

const idsOf = (nodes: readonly TaskTreeNode[]) => nodes.map((node) => (node.kind === 'task' ? node.id : node.kind));

function moreOf(nodes: readonly TaskTreeNode[]): MoreNode {
  const last = nodes[nodes.length - 1];
  assert.equal(last?.kind, 'more', 'the list ends with a "more" row');
  return last as MoreNode;
}

describe('ui/taskTreeModel paging', () => {
  for (const [count, shown, more] of [
    [PAGE - 1, PAGE - 1, undefined],
    [PAGE, PAGE, undefined],
    [PAGE + 1, PAGE, 'Show 1 more… (1 hidden)'],
  ] as const) {
    it(`shows ${shown} of ${count} tasks${more ? ' and a "more" row' : ''} with a page of ${PAGE}, and counts all of them in the group's label`, () => {
      const t = setup();
      const ids = t.start(count).reverse(); // newest first
      t.flush();
      const running = t.group('status:working');
      const children = t.model.children(running);
      assert.deepEqual(idsOf(children), [...ids.slice(0, shown), ...(more ? ['more'] : [])]);
      assert.equal(t.model.row(running)?.description, String(count));
      if (more) {
        assert.equal(t.model.row(moreOf(children))?.label, more);
        assert.equal(t.model.parent(moreOf(children)), running);
      }
      assert.deepEqual(t.mirror.lines(), t.fresh());
      t.dispose();
    });
  }

  it('shows one page more when the "more" row is clicked, redrawing only its container', () => {
    const t = setup();
    const ids = t.start(7).reverse();
    t.flush();
    const running = t.group('status:working');
    const more = moreOf(t.model.children(running));
    assert.equal(t.model.row(more)?.label, 'Show 3 more… (4 hidden)');
    const redraw = t.model.showMore(more);
    assert.deepEqual(redraw, [running]);
    t.mirror.redraw(redraw);
    const children = t.model.children(running);
    assert.deepEqual(idsOf(children), [...ids.slice(0, 6), 'more']);
    assert.equal(t.model.row(moreOf(children))?.label, 'Show 1 more… (1 hidden)');
    assert.deepEqual(t.mirror.lines(), t.fresh());
    t.dispose();
  });

  it('shows a hidden task when the tasks above it finish', () => {
    const t = setup();
    const [oldest, second, , fourth, newest] = t.start(5);
    t.flush();
    assert.ok(!t.mirror.lines().some((line) => line.includes('job 0')), 'the oldest task starts hidden');
    t.store.complete(newest, 'completed', {});
    t.store.complete(fourth, 'completed', {});
    t.flush();
    const running = t.model.children(t.group('status:working'));
    assert.ok(idsOf(running).includes(oldest) && idsOf(running).includes(second));
    assert.ok(!idsOf(running).includes('more'));
    assert.ok(
      t.mirror.lines().some((line) => line.includes('job 0')),
      'the view shows it',
    );
    assert.deepEqual(t.mirror.lines(), t.fresh());
    t.dispose();
  });

  it('makes the pages above a revealed task reach it, and only those', () => {
    const t = setup();
    const [parent] = t.start(1);
    t.start(4);
    const children = t.start(5, parent);
    t.flush();
    const running = t.group('status:working');
    const last = children[children.length - 1];
    assert.ok(t.model.nodeFor(last), 'the task is placed');
    assert.ok(!t.mirror.lines().some((line) => line.includes('job 4')), 'its row is not in the view');
    const raised = t.model.reveal(last);
    assert.deepEqual(new Set(raised), new Set([running, t.model.nodeFor(parent)]));
    t.mirror.redraw(raised);
    assert.ok(idsOf(t.model.children(running)).includes(parent));
    assert.ok(idsOf(t.model.children(t.model.nodeFor(parent)!)).includes(last));
    assert.deepEqual(t.mirror.lines(), t.fresh());
    assert.deepEqual(t.model.reveal(last), [], 'a shown task raises nothing');
    t.dispose();
  });

  it('redraws the group when a hidden task goes (its count and the "more" row change, its page does not)', () => {
    const t = setup();
    const [oldest] = t.start(5);
    t.flush();
    const running = t.group('status:working');
    t.store.remove(oldest);
    assert.deepEqual(t.flush(), [[running]]);
    assert.equal(t.model.row(running)?.description, '4');
    assert.equal(t.model.row(moreOf(t.model.children(running)))?.label, 'Show 1 more… (1 hidden)');
    assert.deepEqual(t.mirror.lines(), t.fresh());
    t.dispose();
  });

  it('redraws nothing for a batch that changes only tasks beyond the page', () => {
    const t = setup();
    const [oldest, second] = t.start(6);
    t.store.update(oldest, { queue: { position: 2, size: 2 } });
    t.store.update(second, { queue: { position: 1, size: 2 } });
    t.flush();
    t.store.setStatus(oldest, 'working', 'step 1');
    assert.deepEqual(t.flush(), [undefined], 'a hidden task says something new');
    t.store.update(oldest, { queue: { position: 1, size: 2 } });
    t.store.update(second, { queue: { position: 2, size: 2 } });
    assert.deepEqual(t.flush(), [undefined], 'hidden queued tasks swap places');
    assert.deepEqual(t.mirror.lines(), t.fresh());
    t.dispose();
  });
});
