import type { ProcessTable, ProcessTableSource } from './processTable';

/** How often the process table is re-read while any tracked tree runs. */
export const TRACK_INTERVAL_MS = 500;

/** Hands each listener the same fresh process table, so many running tasks cost one read. */
export interface TableFeed {
  /** Returns the unsubscribe function. */
  subscribe(listener: (table: ProcessTable) => void): () => void;
}

/** Reads the table on an unref'd timer, only while someone listens. */
export class TablePoll implements TableFeed {
  private readonly listeners = new Set<(table: ProcessTable) => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: ProcessTableSource,
    private readonly intervalMs = TRACK_INTERVAL_MS,
  ) {}

  subscribe(listener: (table: ProcessTable) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      clearInterval(this.timer);
      this.timer = undefined;
    };
  }

  private tick(): void {
    const table = this.source.read();
    if (table) for (const listener of [...this.listeners]) listener(table);
  }
}

export interface TrackerOptions {
  /** An environment variable set only for this tree's root, inherited by everything it starts. */
  readonly marker?: { readonly name: string; readonly value: string };
  /** Periodic tables; without one the tree is only read when asked (`liveMembers`). */
  readonly feed?: TableFeed;
}

/**
 * Remembers every process seen in a task's tree while the task runs. Following parent links at
 * kill time alone is not enough: a process that leaves the process group (setsid, daemonising
 * tools) and whose parent then exits is reparented to init and no longer looks like ours.
 *
 * A child subreaper (prctl PR_SET_CHILD_SUBREAPER) would keep such orphans our children, but Node
 * cannot call prctl without a native addon, and it would make the whole extension host their
 * reaper. A cgroup v2 per task (killed with cgroup.kill) would catch everything, but needs a
 * delegated, writable cgroup (rare outside systemd user sessions, absent on cgroup v1 hosts) and a
 * wrapper to move the shell in before it forks. So: periodic reads, plus the environment marker
 * for daemons that detach between two reads.
 *
 * A pid is remembered with its start time: a pid the kernel has given to an unrelated process
 * since is never taken for ours.
 */
export class DescendantTracker {
  /** pid → start time of every process seen in the tree and not yet seen gone. */
  private readonly seen = new Map<number, string>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly rootPid: number,
    private readonly source: ProcessTableSource,
    private readonly options: TrackerOptions = {},
  ) {
    if (!options.feed) return;
    const table = source.read();
    if (table) this.observe(table);
    this.unsubscribe = options.feed.subscribe((next) => {
      // A tree with no process left cannot grow again.
      if (this.observe(next).length === 0) this.stop();
    });
  }

  /** The tree's live processes now, read afresh: the root, its group, everything below them, and tracked ones that left. */
  liveMembers(): number[] {
    const table = this.source.read();
    if (!table) return [];
    const { marker } = this.options;
    return this.observe(table, marker ? this.source.withEnvironment(table, marker.name, marker.value) : []);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Records the tree as `table` shows it and returns its live (not zombie) processes. */
  private observe(table: ProcessTable, marked: readonly number[] = []): number[] {
    const members = this.membersIn(table, marked);
    for (const [pid, startTime] of this.seen) {
      if (table.get(pid)?.startTime !== startTime) this.seen.delete(pid);
    }
    for (const pid of members) this.seen.set(pid, table.get(pid)!.startTime);
    return members.filter((pid) => !table.get(pid)!.zombie);
  }

  private membersIn(table: ProcessTable, marked: readonly number[]): number[] {
    const root = table.get(this.rootPid);
    const rootStart = this.seen.get(this.rootPid);
    // The group and session ids are the root's pid, which the kernel does not hand out again while
    // either is in use; only a recycled root itself would make them someone else's.
    const rootRecycled = root !== undefined && rootStart !== undefined && root.startTime !== rootStart;
    const members = new Set<number>();
    for (const info of table.values()) {
      const inGroup = !rootRecycled && (info.pid === this.rootPid || info.pgid === this.rootPid || info.sid === this.rootPid);
      if (inGroup || this.seen.get(info.pid) === info.startTime) members.add(info.pid);
    }
    for (const pid of marked) if (table.has(pid)) members.add(pid);

    const children = new Map<number, number[]>();
    for (const info of table.values()) {
      const siblings = children.get(info.ppid);
      if (siblings) siblings.push(info.pid);
      else children.set(info.ppid, [info.pid]);
    }
    const pending = [...members];
    while (pending.length > 0) {
      for (const child of children.get(pending.pop()!) ?? []) {
        if (members.has(child)) continue;
        members.add(child);
        pending.push(child);
      }
    }
    // Never ourselves, whatever the table claims.
    members.delete(process.pid);
    return [...members];
  }
}
