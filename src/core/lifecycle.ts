/** Something that holds resources until `dispose()` is called. Structurally a `vscode.Disposable`. */
export interface IDisposable {
  dispose(): void;
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}

/** Owns a set of disposables; anything added after `dispose()` is disposed at once, so nothing leaks. */
export class DisposableStore implements IDisposable {
  private readonly items = new Set<IDisposable>();
  private disposed = false;

  add<T extends IDisposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.add(item);
    }
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const item of [...this.items].reverse()) {
      try {
        item.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    this.items.clear();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'Several disposables failed');
  }
}

/** Base class for objects that own disposables: `this._register(x)` ties x's lifetime to this object. */
export abstract class Disposable implements IDisposable {
  private readonly _disposables = new DisposableStore();

  protected _register<T extends IDisposable>(item: T): T {
    return this._disposables.add(item);
  }

  dispose(): void {
    this._disposables.dispose();
  }
}
