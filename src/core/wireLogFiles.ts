/**
 * Captured wire logs on disk: one JSON file per task in `<store>/wire/`, beside the result side
 * files (resultFiles.ts) and named the same way. Written atomically (temp file, then rename), read
 * and checked only when asked, deleted with their record. A file that cannot be read or is damaged
 * is a `WireLogUnavailableError` with a message for people, never a crash.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { sideFileName } from './resultFiles';
import { describeIssues } from './taskRecord';
import type { WireLog } from './wireLog';

export const WIRE_LOGS_FOLDER = 'wire';

const WireFlagSchema = z.object({ rule: z.string(), text: z.string() });
const WireEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  direction: z.enum(['sent', 'received']),
  transport: z.enum(['memory', 'stdio', 'http']),
  kind: z.enum(['request', 'response', 'error', 'notification', 'event']),
  method: z.string().optional(),
  rpcId: z.union([z.string(), z.number()]).optional(),
  bytes: z.number().nonnegative(),
  message: z.unknown(),
  cut: z.object({ keptBytes: z.number().nonnegative() }).optional(),
  http: z
    .object({
      method: z.string().optional(),
      url: z.string().optional(),
      status: z.number().optional(),
      headers: z.record(z.string(), z.string()),
    })
    .optional(),
  flags: z.array(WireFlagSchema),
});

/** What a wire log file (and an export's wire log) must look like. */
export const WireLogSchema = z.object({
  recordId: z.string(),
  serverId: z.string(),
  wire: z.string(),
  entries: z.array(WireEntrySchema),
  dropped: z.object({ messages: z.number().nonnegative(), bytes: z.number().nonnegative() }),
});

/** A wire log that is on disk but cannot be read back. */
export class WireLogUnavailableError extends Error {
  override readonly name = 'WireLogUnavailableError';
}

/** Checks a value read from a file or an export; throws `WireLogUnavailableError` saying what is wrong. */
export function parseWireLog(value: unknown, where: string): WireLog {
  const parsed = WireLogSchema.safeParse(value);
  if (!parsed.success) throw new WireLogUnavailableError(`The wire log in ${where} is damaged: ${describeIssues(parsed.error)}`);
  return parsed.data as WireLog;
}

export class WireLogFiles {
  readonly folder: string;

  constructor(storeDirectory: string) {
    this.folder = path.join(storeDirectory, WIRE_LOGS_FOLDER);
  }

  fileOf(recordId: string): string {
    return path.join(this.folder, sideFileName(recordId));
  }

  /** Writes the log atomically; throws if the disk refuses it. */
  write(log: WireLog): void {
    const file = this.fileOf(log.recordId);
    const temp = `${file}.tmp-${process.pid}`;
    fs.mkdirSync(this.folder, { recursive: true });
    try {
      fs.writeFileSync(temp, JSON.stringify(log));
      fs.renameSync(temp, file);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
  }

  /** The log of `recordId`, or undefined when none was ever written. */
  read(recordId: string): WireLog | undefined {
    const file = this.fileOf(recordId);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new WireLogUnavailableError(`The wire log of task ${recordId} could not be read from ${file}: ${(error as Error).message}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new WireLogUnavailableError(`The wire log of task ${recordId} is damaged: ${file} is not valid JSON (${(error as Error).message})`);
    }
    return parseWireLog(value, file);
  }

  /** Deletes the log of `recordId`; one already gone is no error. */
  delete(recordId: string): void {
    try {
      fs.rmSync(this.fileOf(recordId), { force: true });
    } catch {
      // Left behind: it names a record that no longer exists, and is never read.
    }
  }
}
