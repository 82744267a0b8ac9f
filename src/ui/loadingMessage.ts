import { Disposable } from '../core/lifecycle';
import type { TaskReader } from '../core/taskStore';

/** What the task views say while the store reads its records (instead of "No tasks yet"). */
export const LOADING_TASKS_MESSAGE = 'Loading tasks…';

/** A view whose message can be set: a `vscode.TreeView`, structurally. */
export interface MessageView {
  message?: string;
}

/**
 * Shows "Loading tasks…" in the task views until the store is open (a view's message hides its
 * welcome content, which would say there are no tasks), then takes it away; the views fill from
 * the `opened` batch. A message another command set meanwhile (a filter's) is left alone.
 */
export class LoadingMessage extends Disposable {
  constructor(views: readonly MessageView[], store: Pick<TaskReader, 'isOpen' | 'afterOpen'>) {
    super();
    if (store.isOpen) return;
    for (const view of views) view.message ??= LOADING_TASKS_MESSAGE;
    this._register(
      store.afterOpen(() => {
        for (const view of views) if (view.message === LOADING_TASKS_MESSAGE) view.message = undefined;
      }),
    );
  }
}
