/**
 * The standalone server (src/mcp/server/cli.ts, as dist/server.js runs it) with two more tools for
 * the team tests, `probe_a` and `probe_b`: marked idempotent, each run waits `durationMs` and
 * appends what it did to the file named by TASKLANE_PROBE_LOG, one JSON line per event: its
 * start, its end, or its stop (the signal's reason), with the task id, the tool, this server's pid
 * and the time on the machine's monotonic clock (`process.hrtime`, CLOCK_MONOTONIC on Linux: one
 * clock for every process here, the tests' own included). That file is the evidence, kept outside
 * any engine, of when each task's work ran and where.
 *
 * Run as `node out/test/unit/team/probeServer.js --http …` (compiled with the unit tests).
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { main } from '../../../src/mcp/server/cli';
import { type ToolDefinition, defineTool } from '../../../src/mcp/server/tools/toolDefinition';

/** One line of the probe log. `at` is nanoseconds on the monotonic clock, as a decimal string. */
export interface ProbeEvent {
  readonly event: 'start' | 'end' | 'stop';
  readonly task: string;
  readonly tool: string;
  readonly pid: number;
  readonly at: string;
  readonly reason?: string;
}

export const PROBE_TOOLS = ['probe_a', 'probe_b'] as const;

function record(event: Omit<ProbeEvent, 'pid' | 'at'>): void {
  const line: ProbeEvent = { ...event, pid: process.pid, at: process.hrtime.bigint().toString() };
  fs.appendFileSync(process.env.TASKLANE_PROBE_LOG!, `${JSON.stringify(line)}\n`);
}

function probe(name: string): ToolDefinition {
  return defineTool({
    name,
    title: `Probe ${name}`,
    description: 'Waits, recording its start and end (tests only).',
    inputSchema: z.object({ durationMs: z.number().int().min(0) }),
    annotations: { readOnlyHint: false, idempotentHint: true, destructiveHint: false, openWorldHint: false },
    taskSupport: 'optional',
    async run({ durationMs }, context) {
      const task = context.taskId ?? 'plain';
      record({ event: 'start', task, tool: name });
      await new Promise<void>((resolve, reject) => {
        const done = setTimeout(() => {
          context.signal.removeEventListener('abort', onAbort);
          record({ event: 'end', task, tool: name });
          resolve();
        }, durationMs);
        function onAbort() {
          clearTimeout(done);
          record({ event: 'stop', task, tool: name, reason: String((context.signal.reason as Error | undefined)?.message) });
          reject(context.signal.reason);
        }
        if (context.signal.aborted) onAbort();
        else context.signal.addEventListener('abort', onAbort, { once: true });
      });
      return { content: [{ type: 'text', text: `${name} ran on ${process.pid}` }] };
    },
  }) as unknown as ToolDefinition;
}

if (require.main === module) {
  main([...BUILTIN_TOOLS, ...PROBE_TOOLS.map(probe)]).catch((error: Error) => {
    process.stderr.write(`probe server: ${error.message}\n`);
    process.exit(1);
  });
}
