/**
 * The UI's coalescing delay. `src/ui/tasklaneUi.ts` exports it but imports `vscode`, which cannot
 * load outside the host, so the value is read from the source (and the bench says so if it cannot).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function readUiCoalesceMs(): number {
  try {
    const source = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'ui', 'tasklaneUi.ts'), 'utf8');
    const match = /export const UI_COALESCE_MS = (\d+);/.exec(source);
    if (match) return Number(match[1]);
  } catch {
    // fall through
  }
  process.stderr.write('[bench] could not read UI_COALESCE_MS from src/ui/tasklaneUi.ts; assuming 100 ms\n');
  return 100;
}

export const UI_COALESCE_MS_FOR_BENCH = readUiCoalesceMs();
