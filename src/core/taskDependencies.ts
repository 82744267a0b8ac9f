/**
 * The steps a VS Code task with `dependsOn` runs through, read from its tasks.json entries: its
 * dependencies (theirs first, transitively) and then the task itself, in the order tasks.json
 * names them. Pure: the caller hands over the raw `tasks` entries of the folder's configuration.
 */
import { MAX_STEPS } from './taskSteps';

export interface PlannedStep {
  /** The label as tasks.json names it; also the step's id (each task is listed once). */
  readonly label: string;
  /** 0 for the task itself, 1 for what it depends on, 2 for what that depends on, … */
  readonly depth: number;
}

/**
 * The dependencies of the task labelled `label`, each before what depends on it, then the task
 * itself; empty when it depends on nothing. A task named twice (two tasks depend on it) is listed
 * where it is first met, as VS Code runs it once; a cycle is cut where it closes.
 */
export function plannedSteps(entries: readonly unknown[], label: string): PlannedStep[] {
  const byLabel = new Map<string, readonly string[]>();
  for (const entry of entries) {
    const read = readEntry(entry);
    if (read && !byLabel.has(read.label)) byLabel.set(read.label, read.dependsOn);
  }
  if ((byLabel.get(label) ?? []).length === 0) return [];
  const steps: PlannedStep[] = [];
  const listed = new Set<string>();
  const path = new Set<string>();
  const visit = (name: string, depth: number) => {
    if (listed.has(name) || path.has(name) || steps.length >= MAX_STEPS) return;
    path.add(name);
    for (const dependency of byLabel.get(name) ?? []) visit(dependency, depth + 1);
    path.delete(name);
    if (steps.length < MAX_STEPS && !listed.has(name)) {
      listed.add(name);
      steps.push({ label: name, depth });
    }
  };
  visit(label, 0);
  return steps;
}

/** Whether the task labelled `label` names tasks to run before it (in any form: only VS Code runs them). */
export function hasDependencies(entries: readonly unknown[], label: string): boolean {
  return entries.some((entry) => {
    if (typeof entry !== 'object' || entry === null) return false;
    const { label: name, taskName, dependsOn } = entry as { label?: unknown; taskName?: unknown; dependsOn?: unknown };
    const named = name === label || taskName === label;
    return named && dependsOn !== undefined && !(Array.isArray(dependsOn) && dependsOn.length === 0);
  });
}

/** An entry's label (`label`, or the older `taskName`) and the labels it depends on. */
function readEntry(entry: unknown): { label: string; dependsOn: string[] } | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { label, taskName, dependsOn } = entry as { label?: unknown; taskName?: unknown; dependsOn?: unknown };
  const name = typeof label === 'string' ? label : typeof taskName === 'string' ? taskName : undefined;
  if (name === undefined) return undefined;
  const named = Array.isArray(dependsOn) ? dependsOn : dependsOn === undefined ? [] : [dependsOn];
  return { label: name, dependsOn: named.map(dependencyLabel).filter((dependency): dependency is string => dependency !== undefined) };
}

/** A dependency as tasks.json may name it: a label, or `{ "type": "npm", "script": "build" }`-like identifiers shown as VS Code labels them. */
function dependencyLabel(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const { label, type, script, task } = value as { label?: unknown; type?: unknown; script?: unknown; task?: unknown };
  if (typeof label === 'string') return label;
  const name = typeof script === 'string' ? script : typeof task === 'string' ? task : undefined;
  return typeof type === 'string' && name !== undefined ? `${type}: ${name}` : undefined;
}
