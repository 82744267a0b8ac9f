import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Schedule, ScheduleSchema } from './schedule';
import { describeIssues } from './taskRecord';

/*
 * Schedules on disk: `schedules.json` in the task store's folder, which is the workspace's own
 * (VS Code's per-workspace storage), so schedules belong to the workspace as its tasks do. A file
 * rather than workspaceState: it is written atomically where the tasks are, read in plain Node by
 * the tests, and a damaged one can be kept aside for a person to look at.
 */

export const SCHEDULES_FILE = 'schedules.json';
const FORMAT_VERSION = 1;

interface ScheduleFileContent {
  readonly v: number;
  readonly schedules: readonly unknown[];
}

export interface ScheduleFileRead {
  readonly schedules: Schedule[];
  /** Said to the person when something could not be read: what was lost and where the file was kept. */
  readonly problem?: string;
  /** The damaged file's copy, when there was damage. */
  readonly backupPath?: string;
}

/** Reads and writes the schedules of one workspace. */
export class ScheduleFile {
  readonly file: string;

  constructor(directory: string) {
    this.file = path.join(directory, SCHEDULES_FILE);
  }

  /**
   * The schedules on disk (none when there is no file). A file that is not JSON is kept aside and
   * reads as none; a schedule that fails its check is left out and the others kept, the file kept
   * aside too. Either way `problem` says so in plain words.
   */
  read(now: Date = new Date()): ScheduleFileRead {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { schedules: [] };
      throw error;
    }
    let content: ScheduleFileContent;
    try {
      content = JSON.parse(text) as ScheduleFileContent;
      if (typeof content !== 'object' || content === null || !Array.isArray(content.schedules)) throw new Error('it holds no list of schedules');
    } catch (error) {
      const backupPath = this.backup(now);
      return {
        schedules: [],
        backupPath,
        problem: `Tasklane could not read its schedules (${(error as Error).message}); the file was kept as ${backupPath} and no schedules are loaded.`,
      };
    }
    const schedules: Schedule[] = [];
    const reasons: string[] = [];
    const seen = new Set<string>();
    for (const entry of content.schedules) {
      const parsed = ScheduleSchema.safeParse(entry);
      if (!parsed.success) reasons.push(describeIssues(parsed.error));
      else if (seen.has(parsed.data.id)) reasons.push(`a second schedule with id ${parsed.data.id}`);
      else {
        seen.add(parsed.data.id);
        schedules.push(parsed.data);
      }
    }
    if (reasons.length === 0) return { schedules };
    const backupPath = this.backup(now);
    const lost = reasons.length === 1 ? '1 schedule' : `${reasons.length} schedules`;
    return {
      schedules,
      backupPath,
      problem: `${lost} in ${SCHEDULES_FILE} could not be read and ${reasons.length === 1 ? 'was' : 'were'} left out (${reasons[0]}); the others are kept, and the file as it was is in ${backupPath}.`,
    };
  }

  /** Replaces the file atomically: a temporary file, flushed to disk, renamed over the old one. */
  write(schedules: readonly Schedule[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    const content: ScheduleFileContent = { v: FORMAT_VERSION, schedules };
    const fd = fs.openSync(temp, 'w');
    try {
      fs.writeSync(fd, `${JSON.stringify(content, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.renameSync(temp, this.file);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
  }

  private backup(at: Date): string {
    const backupPath = `${this.file}.corrupt-${at.toISOString().replace(/[:.]/g, '-')}`;
    fs.copyFileSync(this.file, backupPath);
    return backupPath;
  }
}
