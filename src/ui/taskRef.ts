/**
 * What every task command accepts as its argument: a tree item, a status bar click or the
 * detail panel all pass an object with the task's host id. Without one, commands ask.
 */
export interface TaskRef {
  readonly id: string;
}

export function isTaskRef(value: unknown): value is TaskRef {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';
}
