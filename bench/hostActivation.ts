/**
 * 7. `activate()` in the real VS Code host with 10,000 tasks in the store: the production bundle,
 * loaded by a real extension host (code-server + headless Chromium, as the integration tests run),
 * on a workspace whose storage holds a store of 10,000 tasks (10% of them unfinished on the
 * embedded server, so opening the store ends them "Stopped when the window reloaded"). The figure is
 * what `activate()` measures about itself (`activationMs`: first line to return): creating the store,
 * the views, the status bar, the context keys and the commands. Opening the store (its read, retention,
 * re-attach and the interrupted writes) and connecting the embedded server follow in the background;
 * the probe waits for them (`api.ready`) and reports how long after activation that was (`readyMs`),
 * beside the figure. The launcher is bench/host/activation.mjs.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { productionBuild } from './extensionCost';
import { TARGETS, meets } from './targets';
import { type BenchConfig, type Figure, fmtMs, median, removeDir, round, tempDir } from './harness';

const ROOT = path.join(__dirname, '..', '..');

interface HostRun {
  readonly activationMs: number;
  /** From activate()'s return (as the probe saw it) to `api.ready`: the store open, the embedded server connected. */
  readonly readyMs?: number;
  readonly tasks: number;
  readonly interrupted: number;
  readonly vscode: string;
  readonly node: string;
  readonly uiKind: string;
}

function launch(extensionDir: string, tasks: number, runs: number, resultFile: string): Promise<void> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'host', 'activation.mjs'), extensionDir, String(tasks), String(runs), resultFile], {
    stdio: ['ignore', 'inherit', 'inherit'],
    cwd: ROOT,
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bench/host/activation.mjs exited with ${code}`))));
  });
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const scratch = tempDir('host-extension');
  try {
    productionBuild(scratch);
    const resultFile = path.join(scratch, 'host-activation.json');
    const runs = config.quick ? 1 : 3;
    await launch(scratch, config.activationTasks, runs, resultFile);
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { empty: HostRun; runs: HostRun[] };
    const value = median(result.runs.map((r) => r.activationMs));
    const label = config.activationTasks.toLocaleString('en-US');
    const first = result.runs[0];
    return [
      {
        id: 'extension.activation.host',
        figure: `7. activate() in the real VS Code host, ${label} tasks (median)`,
        value,
        unit: 'ms',
        tasklane: `${fmtMs(value)} (runs: ${result.runs.map((r) => fmtMs(r.activationMs)).join(', ')}); tasks read ${fmtMs(median(result.runs.map((r) => r.readyMs ?? 0)))} after`,
        baselineValue: result.empty.activationMs,
        baseline: `same host, empty store: ${fmtMs(result.empty.activationMs)}`,
        ratio: value / result.empty.activationMs,
        target: TARGETS.activationMs,
        met: meets(TARGETS.activationMs, { value }),
        note:
          `VS Code ${first?.vscode} (${first?.uiKind} UI, extension host Node ${first?.node}), production bundle, ${runs} window loads, each on a fresh store file of ${label} tasks; retention (default settings) left ${first?.tasks}, and ${first?.interrupted} were ended "Stopped when the window reloaded" as it opened. ` +
          'activationMs is measured by activate() itself, first line to return: the store created (not read), the views, status bar, context keys and commands. ' +
          'The store open (read, retention, re-attach, interrupted writes) and the embedded server follow in the background; "tasks read" is the median time from activation to `api.ready`, not in the figure. ' +
          "VS Code's own work before and after (loading the bundle, drawing) is not in it.",
        raw: { empty: result.empty, runs: result.runs.map((r) => ({ ...r, activationMs: round(r.activationMs, 2) })) },
      },
    ];
  } finally {
    removeDir(scratch);
  }
}
