/**
 * What both standalone entry points (cli.ts for the normal tools, conformanceCli.ts for the
 * conformance suite's fixtures) do the same way on HTTP: read the port, announce where they
 * listen (scripts and tests wait for that line), and stop cleanly on SIGINT/SIGTERM.
 */
import type { TaskEngine } from '../engine/taskEngine';
import type { RunningHttpServer } from './httpServer';

/** The `--port` value as a port: 0 (any free one) when not given; anything else than 0–65535 throws. */
export function parsePort(value: string | undefined): number {
  const port = value === undefined ? 0 : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not "${value}"`);
  return port;
}

/** Prints where the server listens (and its tokens), then closes it, the engine and `beforeExit` on SIGINT or SIGTERM. */
export function serveUntilSignalled(
  running: RunningHttpServer,
  engine: TaskEngine,
  token: string | readonly string[] | undefined,
  label = '',
  /** What must finish before the process exits (a team store's last writes). */
  beforeExit?: () => Promise<void>,
): void {
  const tokens = token === undefined ? [] : typeof token === 'string' ? [token] : token;
  process.stderr.write(`Tasklane task server on ${running.url}${label}\n${tokens.map((each) => `Token: ${each}\n`).join('')}`);
  const stop = async () => {
    await running.close();
    engine.dispose();
    await beforeExit?.().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
