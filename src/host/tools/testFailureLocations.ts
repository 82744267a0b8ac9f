import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TestFailure } from '../../core/testFailures';

/** Where a relative file is looked for by name when it is not under the run's directory (go prints paths relative to the package). */
const SEARCH_EXCLUDE = '**/{node_modules,.git}/**';

/**
 * The failures with each relative file made absolute, so any client can open it: against the
 * directory the tests ran in, else the one workspace file whose path ends with it. A file found
 * nowhere, or more than once, stays as the runner printed it.
 */
export async function resolveFailureLocations(failures: readonly TestFailure[], cwd: string | undefined, log: vscode.LogOutputChannel): Promise<TestFailure[]> {
  const resolved = new Map<string, string>();
  for (const file of new Set(failures.flatMap((failure) => (failure.location ? [failure.location.file] : [])))) {
    if (path.isAbsolute(file)) continue;
    const found = await locate(file, cwd);
    if (found) resolved.set(file, found);
    else log.debug(`[tools] could not tell which file "${file}" a test failure names`);
  }
  return failures.map((failure) =>
    failure.location && resolved.has(failure.location.file)
      ? { ...failure, location: { ...failure.location, file: resolved.get(failure.location.file)! } }
      : failure,
  );
}

async function locate(file: string, cwd: string | undefined): Promise<string | undefined> {
  if (cwd && (await isFile(path.resolve(cwd, file)))) return path.resolve(cwd, file);
  // Brackets and braces are glob syntax, and common in file names ("[id].test.ts"): match them literally.
  const literal = file
    .split(path.sep)
    .join('/')
    .replace(/^\.\//, '')
    .replace(/[[\]{}*?]/g, (char) => `[${char}]`);
  const glob = `**/${literal}`;
  const matches = await vscode.workspace.findFiles(glob, SEARCH_EXCLUDE, 2);
  return matches.length === 1 ? matches[0].fsPath : undefined;
}

async function isFile(candidate: string): Promise<boolean> {
  try {
    return (await fs.stat(candidate)).isFile();
  } catch {
    return false;
  }
}
