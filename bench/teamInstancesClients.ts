/**
 * The clients bench/teamInstances.ts drives, all on the stateless 2026-07-28 wire over loopback
 * HTTP: a load of short `wait` tasks created and polled to their end by concurrent clients, a
 * `subscriptions/listen` stream that stamps each task notification as it arrives, and a task
 * followed to "worker lost" after its instance is killed.
 */
import { performance } from 'node:perf_hooks';
import { type Json, TERMINAL, V2Client, meta } from '../test/unit/mcp/v2/helpers';
import { deferred, now, sleep } from './harness';

/** Wall-clock ms with sub-ms resolution: comparable with a server's `lastUpdatedAt` on this machine. */
export const wallClock = (): number => performance.timeOrigin + performance.now();

export interface LoadResult {
  readonly tasks: number;
  readonly polls: number;
  readonly elapsedMs: number;
}

/**
 * `clients` clients, client i on `urls[i % urls.length]`, each creating a `wait` task of 0 ms and
 * polling it (tasks/get, on the instance that created it) until it ends, again and again for
 * `durationMs`. A task that does not complete fails the run: a figure of failures is no throughput.
 */
export async function shortTaskLoad(urls: readonly string[], token: string, clients: number, durationMs: number): Promise<LoadResult> {
  const started = now();
  const end = started + durationMs;
  let tasks = 0;
  let polls = 0;
  const one = async (client: V2Client) => {
    while (now() < end) {
      const created = await client.callTool('wait', { durationMs: 0 });
      if (created.resultType !== 'task') throw new Error(`wait did not make a task: ${JSON.stringify(created)}`);
      let task: Json = created;
      for (let attempt = 0; !TERMINAL.has(task.status as string); attempt++) {
        // The first poll at once, later ones 1 ms apart: a busy poll would only take CPU from the servers.
        if (attempt > 0) await sleep(1);
        task = await client.getTask(created.taskId as string);
        polls++;
      }
      if (task.status !== 'completed') throw new Error(`a wait task ended ${task.status}: ${JSON.stringify(task)}`);
      tasks++;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => one(new V2Client(urls[i % urls.length]!, token))));
  return { tasks, polls, elapsedMs: now() - started };
}

export interface StampedNotification {
  readonly at: number;
  readonly params: Json;
}

export interface StampedStream {
  /** Resolves with the first task notification (the snapshot sent on subscribe). */
  readonly first: Promise<StampedNotification>;
  /** Resolves with every task notification once the stream has ended. */
  readonly ended: Promise<StampedNotification[]>;
}

/** Opens `subscriptions/listen` for one task and stamps (wallClock) each `notifications/tasks` as it arrives. */
export function listenStamped(client: V2Client, taskId: string, timeoutMs: number): StampedStream {
  const first = deferred<StampedNotification>();
  const run = async (): Promise<StampedNotification[]> => {
    const params = { notifications: { taskIds: [taskId] } };
    const body = { jsonrpc: '2.0', id: `listen-${taskId}`, method: 'subscriptions/listen', params: { ...params, _meta: meta() } };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const seen: StampedNotification[] = [];
    try {
      const response = await fetch(client.url, {
        method: 'POST',
        headers: client.headersFor('subscriptions/listen', params),
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      if (!response.headers.get('content-type')?.includes('text/event-stream')) throw new Error(`listen gave no stream: ${await response.text()}`);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        const at = wallClock();
        if (value) buffer += decoder.decode(value, { stream: true });
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.startsWith('data:')) continue;
          const message = JSON.parse(line.slice(5).trim()) as Json;
          if (message.method !== 'notifications/tasks') continue;
          const stamped = { at, params: message.params as Json };
          seen.push(stamped);
          first.resolve(stamped);
        }
        if (done) return seen;
      }
    } catch (error) {
      first.reject(error);
      throw new Error(`listen on ${client.url} for ${taskId}: ${(error as Error).message}; saw ${seen.map((s) => s.params.status).join(', ')}`);
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  };
  const ended = run();
  ended.catch(() => undefined);
  first.promise.catch(() => undefined);
  return { first: first.promise, ended };
}

/** Polls tasks/get every `intervalMs` until `until` holds; gives up after `timeoutMs`. */
export async function pollUntil(client: V2Client, taskId: string, until: (task: Json) => boolean, intervalMs: number, timeoutMs: number): Promise<Json> {
  const end = now() + timeoutMs;
  for (;;) {
    // Another instance may not know the task for a moment yet: that is a "not yet", not a failure.
    const task = await client.getTask(taskId).catch((error: Error) => ({ status: `unknown (${error.message})` }) as Json);
    if (until(task)) return task;
    if (now() > end) throw new Error(`task ${taskId} still ${task.status} after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
