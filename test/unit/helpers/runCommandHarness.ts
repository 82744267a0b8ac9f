import assert from 'node:assert/strict';
import * as os from 'node:os';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ResourceLimits } from '../../../src/core/taskRecord';
import type { ToolContext } from '../../../src/mcp/server/tools/toolDefinition';
import { runCommandTool, type CommandOutcome } from '../../../src/mcp/server/tools/runCommand';

export interface Harness {
  context: ToolContext;
  controller: AbortController;
  statuses: string[];
  statusTimes: number[];
  outputs: { chunk: string; at: number }[];
}

/** A tool context that records what run_command reports and can be cancelled. */
export function harness(options: { limits?: ResourceLimits; defaultCwd?: string } = {}): Harness {
  const controller = new AbortController();
  const statuses: string[] = [];
  const statusTimes: number[] = [];
  const outputs: { chunk: string; at: number }[] = [];
  const context: ToolContext = {
    signal: controller.signal,
    limits: options.limits ?? {},
    defaultCwd: options.defaultCwd ?? os.tmpdir(),
    status: (message) => {
      statuses.push(message);
      statusTimes.push(performance.now());
    },
    output: (chunk) => outputs.push({ chunk, at: Date.now() }),
    elicit: () => {
      throw new Error('run_command must never ask the user anything');
    },
  };
  return { context, controller, statuses, statusTimes, outputs };
}

export function run(args: { command: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number }, h: Harness) {
  return runCommandTool.run(runCommandTool.inputSchema.parse(args), h.context);
}

export function outcomeOf(result: CallToolResult): CommandOutcome {
  assert.ok(result.structuredContent, 'expected structuredContent');
  return result.structuredContent as unknown as CommandOutcome;
}

export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  assert.equal(first?.type, 'text');
  return first.type === 'text' ? first.text : '';
}
