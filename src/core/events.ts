import { type IDisposable, toDisposable } from './lifecycle';

/**
 * A subscribable event. The call signature matches `vscode.Event<T>`, so a core event can be passed
 * straight to VS Code APIs such as `TreeDataProvider.onDidChangeTreeData`.
 */
export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: IDisposable[]) => IDisposable;

export class Emitter<T> implements IDisposable {
  private listeners = new Set<(e: T) => unknown>();
  private disposed = false;

  constructor(private readonly onListenerError: (error: unknown) => void = defaultListenerError) {}

  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    // A fresh function per subscription: the same listener subscribed twice is called twice and unsubscribed separately.
    const bound = (e: T) => listener.call(thisArgs, e);
    if (this.disposed) return toDisposable(() => undefined);
    this.listeners.add(bound);
    const subscription = toDisposable(() => this.listeners.delete(bound));
    disposables?.push(subscription);
    return subscription;
  };

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Delivers `e` to every listener; one listener throwing never keeps the event from the others. */
  fire(e: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(e);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}

function defaultListenerError(error: unknown): void {
  // A listener's bug must not break the event source; surface it without rethrowing.
  queueMicrotask(() => {
    console.error('[tasklane] event listener failed', error);
  });
}

/** Resolves with the first event for which `predicate` holds. */
export function waitForEvent<T>(event: Event<T>, predicate: (e: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const subscription = event((e) => {
      if (predicate(e)) {
        subscription.dispose();
        resolve(e);
      }
    });
  });
}
