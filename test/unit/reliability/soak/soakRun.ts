/**
 * The SIGKILL soak: runs the host's core (`soakHost.ts`: store, embedded server, task service, an
 * external Tasklane server over HTTP) in a child process, kills it with SIGKILL at random points
 * while it writes output and runs tasks, reopens it, and holds the reopened store to everything
 * the killed child had reported as written. Then one last child runs until every task has ended.
 *
 * Usage: node soakRun.js [kills=20] [resultFile]; needs `dist/server.js` (npm run build).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { isTerminal } from '../../../../src/core/taskStatus';
import { EMBEDDED_SERVER_ID } from '../../../../src/mcp/embeddedServer';
import { MAY_STILL_RUN, REMOTE_SERVER_ID, type SoakMessage, type SoakRecord } from './soakHost';

export interface SoakCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly failures: string[];
}

export interface SoakReport {
  readonly kills: number;
  readonly durationMs: number;
  readonly checks: SoakCheck[];
  readonly counts: {
    readonly reopened: number;
    readonly tornTailsDropped: number;
    readonly badLines: number;
    readonly tasksCreated: number;
    readonly resultsAcknowledged: number;
    readonly resultsLost: number;
    readonly embeddedInterrupted: number;
    readonly interruptedRetried: number;
    readonly remoteReattached: number;
    readonly remoteFollowedToEnd: number;
    readonly killedWhileRunning: number;
  };
}

interface Known {
  serverId: string;
  seed?: string;
  terminal?: SoakRecord;
  adopted: boolean;
}

const HOST_SCRIPT = path.join(__dirname, 'soakHost.js');

export async function runSoak(kills: number): Promise<SoakReport> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-soak-'));
  const token = randomBytes(24).toString('base64url');
  const remote = await startRemoteServer(token);
  const known = new Map<string, Known>();
  const checks: SoakCheck[] = [];
  const followed = new Set<string>();
  const retried = new Map<string, string>();
  const counts = {
    reopened: 0,
    tornTailsDropped: 0,
    badLines: 0,
    tasksCreated: 0,
    resultsAcknowledged: 0,
    resultsLost: 0,
    embeddedInterrupted: 0,
    interruptedRetried: 0,
    remoteReattached: 0,
    remoteFollowedToEnd: 0,
    killedWhileRunning: 0,
  };

  const learn = (message: SoakMessage) => {
    if (message.t === 'created') {
      counts.tasksCreated++;
      known.set(message.record.id, { serverId: message.record.serverId, seed: message.record.seed, adopted: false });
    } else if (message.t === 'adopted') {
      const entry = known.get(message.record.id);
      if (entry) entry.adopted = true;
    } else if (message.t === 'terminal') {
      const entry = known.get(message.record.id);
      if (entry && !entry.terminal) counts.resultsAcknowledged++;
      if (entry) entry.terminal = message.record;
    } else if (message.t === 'retried') {
      retried.set(message.from, message.to);
      counts.interruptedRetried++;
    }
  };

  try {
    for (let cycle = 1; cycle <= kills + 1; cycle++) {
      const settle = cycle === kills + 1;
      const child = spawn(process.execPath, [HOST_SCRIPT, dir, remote.url, token, String(cycle * 7919), ...(settle ? ['--settle'] : [])], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const messages = lines(child);
      const failures: string[] = [];
      let opened: Extract<SoakMessage, { t: 'opened' }> | undefined;
      let ready = false;
      let settled: SoakRecord[] | undefined;
      const killAt = 200 + Math.random() * 1300;
      let killTimer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        const guard = setTimeout(
          () => {
            failures.push(settle ? 'the last run did not see every task end within 60 s' : 'the host did not come up within 20 s');
            child.kill('SIGKILL');
          },
          settle ? 60_000 : 20_000,
        );
        messages.on('message', (message: SoakMessage) => {
          if (message.t === 'opened') {
            opened = message;
            counts.reopened += cycle > 1 ? 1 : 0;
            if (message.tornTail) counts.tornTailsDropped++;
            counts.badLines += message.badLines;
          } else if (message.t === 'reattached') {
            if (cycle > 1) failures.push(...checkReopened(opened, message.records, known, retried, counts));
          } else if (message.t === 'ready') {
            ready = true;
            if (cycle > 1) failures.push(...checkRemoteReattached(opened, message.records, followed, counts));
            if (!settle)
              killTimer = setTimeout(() => {
                counts.killedWhileRunning += 1;
                child.kill('SIGKILL');
              }, killAt);
          } else if (message.t === 'settled') {
            settled = message.records;
          } else if (message.t === 'problem' && /crashed/.test(message.message)) {
            failures.push(message.message);
          }
          learn(message);
        });
        child.on('exit', () => {
          clearTimeout(guard);
          clearTimeout(killTimer);
          resolve();
        });
      });
      await messages.closed;
      if (!ready) failures.push('the host never became ready');
      if (settle) failures.push(...checkSettled(settled, known, followed, counts));
      checks.push({
        name: settle ? 'last run: every task ended, every result kept' : `kill ${cycle}: reopened exactly`,
        passed: failures.length === 0,
        failures,
      });
    }
  } finally {
    await remote.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { kills, durationMs: Date.now() - started, checks, counts };
}

/** The reopened store, once the embedded server is back, against what the killed child reported as written. */
function checkReopened(
  opened: Extract<SoakMessage, { t: 'opened' }> | undefined,
  records: SoakRecord[],
  known: Map<string, Known>,
  retried: Map<string, string>,
  counts: { resultsLost: number; embeddedInterrupted: number },
): string[] {
  const failures: string[] = [];
  if (!opened) return ['the store did not report opening'];
  const before = new Map(opened.records.map((r) => [r.id, r]));
  const after = new Map(records.map((r) => [r.id, r]));
  for (const [id, entry] of known) {
    const record = after.get(id);
    if (!record) {
      failures.push(`task ${id} (${entry.serverId}) was written and is gone`);
      if (entry.terminal) counts.resultsLost++;
      continue;
    }
    if (entry.terminal) {
      const same =
        record.status === entry.terminal.status && record.statusMessage === entry.terminal.statusMessage && record.resultDigest === entry.terminal.resultDigest;
      if (!same) {
        counts.resultsLost++;
        failures.push(`task ${id} ended ${entry.terminal.status} (${entry.terminal.resultDigest}) and reopened as ${record.status} (${record.resultDigest})`);
      }
    }
    const retry = retried.get(id);
    if (retry && record.retriedAs !== retry) failures.push(`task ${id} was retried as ${retry} but reopened with retriedAs ${record.retriedAs}`);
  }
  for (const record of records) {
    const wasOpen = before.has(record.id) && !isTerminal(before.get(record.id)!.status);
    if (record.serverId === EMBEDDED_SERVER_ID) {
      if (!isTerminal(record.status)) failures.push(`embedded task ${record.id} is still ${record.status} after the restart`);
      else if (wasOpen) {
        if (record.status !== 'failed' || !/Stopped when the window reloaded/.test(record.statusMessage ?? '') || record.retriedAs)
          failures.push(`embedded task ${record.id} was running and reopened as ${record.status}: ${record.statusMessage}`);
        else counts.embeddedInterrupted++;
      }
    }
    if (record.status === 'completed') failures.push(...checkResult(record));
  }
  return failures;
}

/** Once the external server is connected again: each remote task that was running is followed again, or failed if it never got a server task id. */
function checkRemoteReattached(
  opened: Extract<SoakMessage, { t: 'opened' }> | undefined,
  records: SoakRecord[],
  followed: Set<string>,
  counts: { remoteReattached: number },
): string[] {
  if (!opened) return [];
  const failures: string[] = [];
  const before = new Map(opened.records.map((r) => [r.id, r]));
  for (const record of records) {
    const was = before.get(record.id);
    if (record.serverId !== REMOTE_SERVER_ID || !was || isTerminal(was.status)) continue;
    if (was.taskId) {
      // Followed again: it may even have ended already, which the last run's check covers.
      if (!followed.has(record.id)) counts.remoteReattached++;
      followed.add(record.id);
    } else if (record.taskId) {
      // Its start was unanswered, and the server's task list showed it: adopted, followed again.
      if (!followed.has(record.id)) counts.remoteReattached++;
      followed.add(record.id);
    } else if (!unansweredStartSettled(record)) {
      failures.push(`remote task ${record.id} had no server task id yet and reopened as ${record.status}: ${record.statusMessage}`);
    }
  }
  return failures;
}

/**
 * A start sent before the kill and never answered ends one of three ways: it was never sent
 * (stopped with the window), the server's list shows it never arrived ("Did not start"), or the
 * server cannot list its tasks and it stays "may still be running" until cancelled.
 */
function unansweredStartSettled(record: SoakRecord): boolean {
  const message = record.statusMessage ?? '';
  if (record.status === 'failed') return /Stopped when the window reloaded|Did not start/.test(message);
  return !isTerminal(record.status) && message.startsWith(MAY_STILL_RUN);
}

function checkSettled(records: SoakRecord[] | undefined, known: Map<string, Known>, followed: Set<string>, counts: { remoteFollowedToEnd: number }): string[] {
  if (!records) return ['the last run reported no final state'];
  const failures: string[] = [];
  const final = new Map(records.map((r) => [r.id, r]));
  for (const record of records) {
    if (!isTerminal(record.status)) failures.push(`task ${record.id} never ended (${record.status})`);
    if (record.status === 'completed') failures.push(...checkResult(record));
  }
  for (const id of followed) {
    const record = final.get(id);
    if (!record || !isTerminal(record.status)) failures.push(`re-attached remote task ${id} was not followed to its end`);
    else if (record.status === 'failed') failures.push(`re-attached remote task ${id} failed: ${record.statusMessage}`);
    else counts.remoteFollowedToEnd++;
  }
  for (const [id, entry] of known) {
    if (entry.terminal && final.get(id)?.resultDigest !== entry.terminal.resultDigest) failures.push(`the result of ${id} changed or was lost by the end`);
  }
  return failures;
}

/** A completed task's result is the one its own arguments call for. */
function checkResult(record: SoakRecord): string[] {
  const expected = record.serverId === EMBEDDED_SERVER_ID ? `chatter ${record.seed}` : record.seed;
  return record.resultText === expected ? [] : [`task ${record.id} completed with "${record.resultText}" instead of "${expected}"`];
}

function lines(child: ChildProcess): NodeJS.EventEmitter & { closed: Promise<void> } {
  const emitter = new EventEmitter() as NodeJS.EventEmitter & { closed: Promise<void> };
  const reader = readline.createInterface({ input: child.stdout! });
  emitter.closed = new Promise((resolve) => reader.on('close', () => resolve()));
  reader.on('line', (line) => {
    try {
      emitter.emit('message', JSON.parse(line));
    } catch {
      // The kill cut this line short: the child had not finished saying it.
    }
  });
  return emitter;
}

async function startRemoteServer(token: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = spawn(process.execPath, [path.resolve('dist/server.js'), '--http', '--port', '0', '--token', token, '--log', 'warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the external server did not start: ${text}`)), 15_000);
    server.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /on (http:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    server.on('exit', (code) => reject(new Error(`the external server exited (${code}): ${text}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}

if (require.main === module) {
  const kills = Number(process.argv[2] ?? 20);
  const file = process.argv[3] ?? path.join('test-results', 'reliability-soak.json');
  runSoak(kills).then(
    (report) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
      for (const check of report.checks) if (!check.passed) console.error(`soak: ${check.name}: ${check.failures.slice(0, 5).join('; ')}`);
      const failed = report.checks.filter((c) => !c.passed).length;
      console.log(
        `soak: ${report.kills} kills in ${(report.durationMs / 1000).toFixed(1)} s; ${report.checks.length - failed} checks passed, ${failed} failed`,
      );
      process.exitCode = failed ? 1 : 0;
    },
    (error: Error) => {
      console.error(`soak: ${error.stack ?? error.message}`);
      process.exitCode = 1;
    },
  );
}
