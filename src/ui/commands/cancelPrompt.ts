/** The question asked before cancelling a task whose child tasks still run (no `vscode` here: tested in Node). */
export const CANCEL_ALL = 'Cancel All';
export const CANCEL_ONLY_THIS = 'Only This';

export function cancelChildrenPrompt(runningChildren: number): string {
  return runningChildren === 1 ? 'Cancel its running child task too?' : `Cancel its ${runningChildren} running child tasks too?`;
}

/** What a cancel does with running child tasks when the caller says so instead of being asked. */
export type ChildrenChoice = 'cancel' | 'keep';
