import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { harness, outcomeOf, run, textOf } from './helpers/runCommandHarness';
import { isRunning, readPid } from './helpers/processes';
import { waitFor } from './helpers/waitFor';

/** The parent pid /proc gives for `pid`. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** A daemon in its own session (so out of the command's process group) that writes its pid to daemon.pid and sleeps. */
const DAEMON = 'setsid sh daemon.sh';

const hasSetsidAndProc = fs.existsSync('/proc/self/stat') && ['/usr/bin/setsid', '/bin/setsid'].some((file) => fs.existsSync(file));

// Processes that leave the command's process group (setsid, daemonising tools) are out of reach
// of the group signal; these check that cancel finds and stops them anyway.
(hasSetsidAndProc ? describe : describe.skip)('run_command and processes that leave the group', function () {
  this.timeout(60_000);
  let tmp: string;
  let daemon: number | undefined;

  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-detached-')));
    daemon = undefined;
    fs.writeFileSync(path.join(tmp, 'daemon.sh'), 'echo $$ > daemon.pid; exec sleep 300\n');
  });
  afterEach(() => {
    // A failing test must not leave its sleep behind.
    if (daemon !== undefined && isRunning(daemon)) process.kill(daemon, 'SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Waits until `pid` no longer has the middle shell as its parent: nothing in the tree is its ancestor. */
  async function expectOrphaned(pid: number): Promise<void> {
    const middle = await waitFor(() => readPid(path.join(tmp, 'middle.pid')), { what: 'the middle shell pid' });
    await waitFor(() => (parentOf(pid) ?? middle) !== middle, { what: `pid ${pid} to be reparented` });
  }

  async function cancelAndExpectGone(h: ReturnType<typeof harness>, running: Promise<unknown>, pid: number): Promise<void> {
    const reason = new Error('cancelled by the user');
    h.controller.abort(reason);
    await assert.rejects(running, (error) => error === reason);
    await waitFor(() => !isRunning(pid), { what: `the detached pid ${pid} to exit` });
  }

  it('kills a setsid child of a shell that waits for it', async () => {
    const h = harness({ defaultCwd: tmp });
    const running = run({ command: `${DAEMON} & echo started; wait` }, h);
    daemon = await waitFor(() => readPid(path.join(tmp, 'daemon.pid')), { what: 'the daemon pid' });

    await cancelAndExpectGone(h, running, daemon);
  });

  it('kills a setsid daemon whose parent has already exited', async () => {
    const h = harness({ defaultCwd: tmp });
    // The middle shell starts the daemon and exits at once: the daemon is reparented away from the tree.
    const running = run({ command: `sh -c 'echo $$ > middle.pid; ${DAEMON} &'; sleep 300` }, h);
    daemon = await waitFor(() => readPid(path.join(tmp, 'daemon.pid')), { what: 'the daemon pid' });
    await expectOrphaned(daemon);

    await cancelAndExpectGone(h, running, daemon);
  });

  it('kills a daemon that cleared its environment, once it was seen in the tree', async () => {
    const h = harness({ defaultCwd: tmp });
    // `env -i` drops the tree's marker: only the tracking, which saw the daemon while its parent lived, finds it.
    const running = run({ command: `sh -c 'echo $$ > middle.pid; env -i PATH="$PATH" ${DAEMON} & sleep 1.5'; sleep 300` }, h);
    daemon = await waitFor(() => readPid(path.join(tmp, 'daemon.pid')), { what: 'the daemon pid' });
    await expectOrphaned(daemon);

    await cancelAndExpectGone(h, running, daemon);
  });

  it('stops a setsid daemon left running when the command exits', async () => {
    const started = Date.now();
    const result = await run({ command: `${DAEMON} & while [ ! -s daemon.pid ]; do :; done; echo done` }, harness({ defaultCwd: tmp }));
    daemon = readPid(path.join(tmp, 'daemon.pid'));
    assert.ok(daemon, 'the daemon recorded its pid');
    assert.equal(outcomeOf(result).exitCode, 0);
    assert.match(textOf(result), /Background processes still running .* were stopped/);
    // It held the output pipes open: the result waited only for it to be stopped, not for the drain timeout.
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    const leftover = daemon;
    await waitFor(() => !isRunning(leftover), { what: `pid ${leftover} to exit` });
  });
});
