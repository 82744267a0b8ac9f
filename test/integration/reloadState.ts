import * as os from 'os';
import * as path from 'path';
import type { Schedule } from '../../src/core/schedule';

/** What the first phase expects to find again after the window reloads. */
export interface BeforeReload {
  readonly tasks: { id: string; status: string; output: string; retriedAs?: string }[];
  /** A task that was still running when the window went away. */
  readonly runningId: string;
  /** The task whose detail panel was open. */
  readonly panelTaskId: string;
  /** Schedules left behind (neither runs during the reload), as the runner had them, with their next due time. */
  readonly schedules?: { schedule: Schedule; nextRunAt: number | undefined }[];
}

// The launcher gives the extension host one scratch temp dir for both phases.
export const BEFORE_RELOAD_FILE = path.join(os.tmpdir(), 'tasklane-before-reload.json');

/** Present between the first phase asking for a reload and the after-reload phase starting. */
export const RELOAD_REQUESTED_FILE = path.join(os.tmpdir(), 'tasklane-reload-requested');
