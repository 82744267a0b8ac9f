import { Emitter, type Event } from './events';
import { Disposable, toDisposable } from './lifecycle';
import type { LifecycleEvent, TaskChanges } from './lifecycleEvents';

/**
 * Folds a burst of lifecycle events into one `TaskChanges` batch, delivered at most once per
 * `delayMs`, so a view refreshes each changed task once instead of once per event. The first
 * event of a quiet period is delivered after `delayMs` at most; nothing is ever dropped: a task
 * touched many times appears once, in the set that describes its final fate.
 */
export class ChangeCoalescer extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<TaskChanges>());
  readonly onDidChange: Event<TaskChanges> = this._onDidChange.event;

  private added = new Set<string>();
  private updated = new Set<string>();
  private removed = new Set<string>();
  private eventCount = 0;
  private reset = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    source: Event<LifecycleEvent>,
    private readonly delayMs: number,
  ) {
    super();
    this._register(source((event) => this.accept(event)));
    this._register(toDisposable(() => clearTimeout(this.timer)));
  }

  /** Delivers whatever is pending now (e.g. before a test asserts, or on shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.eventCount === 0) return;
    const changes: TaskChanges = {
      added: this.added,
      updated: this.updated,
      removed: this.removed,
      eventCount: this.eventCount,
      ...(this.reset ? { reset: true } : {}),
    };
    this.added = new Set();
    this.updated = new Set();
    this.removed = new Set();
    this.eventCount = 0;
    this.reset = false;
    this._onDidChange.fire(changes);
  }

  private accept(event: LifecycleEvent): void {
    this.eventCount++;
    if (event.type === 'opened') {
      this.reset = true;
      this.timer ??= setTimeout(() => this.flush(), this.delayMs);
      return;
    }
    const { id } = event;
    if (event.type === 'created') {
      this.removed.delete(id);
      this.added.add(id);
    } else if (event.type === 'removed') {
      // Something created and removed within one batch was never seen: report neither.
      if (!this.added.delete(id)) this.removed.add(id);
      this.updated.delete(id);
    } else if (!this.added.has(id)) {
      this.updated.add(id);
    }
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }
}
