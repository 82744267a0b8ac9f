/**
 * Substitutes the predefined variables of tasks.json (`${workspaceFolder}`, `${env:NAME}`, …) that
 * can be known without an editor. Anything else (`${input:…}`, `${command:…}`, `${file}`, `${config:…}`)
 * is reported as unresolved, so the caller can hand the task to VS Code, which prompts and resolves.
 */

export interface VariableValues {
  /** The task's workspace folder; undefined for a task outside any folder. */
  readonly workspaceFolder?: string;
  /** Every open folder by name, for `${workspaceFolder:name}`. */
  readonly folders: Readonly<Record<string, string>>;
  /** The editor process's working directory (VS Code's `${cwd}`). */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly userHome: string;
  readonly pathSeparator: string;
}

export interface Resolution {
  readonly text: string;
  /** Variables left as written, e.g. `${input:target}`. */
  readonly unresolved: readonly string[];
}

const VARIABLE = /\$\{([^}]+)\}/g;

export function resolveVariables(text: string, values: VariableValues): Resolution {
  const unresolved: string[] = [];
  const resolved = text.replace(VARIABLE, (whole, name: string) => {
    const value = valueOf(name, values);
    if (value === undefined) unresolved.push(whole);
    return value ?? whole;
  });
  return { text: resolved, unresolved };
}

function valueOf(name: string, values: VariableValues): string | undefined {
  if (name.startsWith('env:')) return values.env[name.slice('env:'.length)] ?? '';
  if (name.startsWith('workspaceFolder:')) return values.folders[name.slice('workspaceFolder:'.length)];
  switch (name) {
    case 'workspaceFolder':
    case 'workspaceRoot':
      return values.workspaceFolder;
    case 'workspaceFolderBasename':
      return values.workspaceFolder?.split(/[\\/]/).filter(Boolean).pop();
    case 'cwd':
      return values.cwd;
    case 'userHome':
      return values.userHome;
    case 'pathSeparator':
    case '/':
      return values.pathSeparator;
    default:
      return undefined;
  }
}
