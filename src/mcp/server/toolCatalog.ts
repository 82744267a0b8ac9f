import { z } from 'zod';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { META } from '../../core/meta';
import { type ResourceLimits, ResourceLimitsSchema, describeIssues } from '../../core/taskRecord';
import { RpcCode, RpcError } from '../rpcError';
import type { ServerExtras } from './serverExtras';
import type { ToolContext, ToolDefinition } from './tools/toolDefinition';

/** Everything a connection needs to run tools, shared by every wire and transport. */
export interface TaskHost {
  readonly catalog: ToolCatalog;
  /** Working directory for tools when the caller names none (the workspace folder). */
  readonly defaultCwd: string;
  /** Workspace trust: tools that run commands refuse to run when this is false. */
  readonly isTrusted: () => boolean;
  /** Prompts, resources and the like, answered beside the tools (none on Tasklane's own server). */
  readonly extras?: ServerExtras;
}

export interface PreparedCall {
  readonly tool: ToolDefinition;
  readonly args: Record<string, unknown>;
  readonly limits: ResourceLimits;
}

export class ToolCatalog {
  private readonly tools = new Map<string, ToolDefinition>();
  private listing: Tool[] | undefined;

  constructor(tools: readonly ToolDefinition[]) {
    for (const tool of tools) this.tools.set(tool.name, tool);
  }

  get(name: string): ToolDefinition | undefined {
    return this.tools.get(name);
  }

  /** The tools marked idempotent (`idempotentHint: true`): running one again does no harm, so lost work of theirs may run again. */
  idempotentTools(): string[] {
    return [...this.tools.values()].filter((tool) => tool.annotations.idempotentHint === true).map((tool) => tool.name);
  }

  /** The `tools/list` entries, with JSON Schemas derived from the zod schemas once. */
  list(): Tool[] {
    this.listing ??= [...this.tools.values()].map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: z.toJSONSchema(tool.inputSchema, { io: 'input' }) as Tool['inputSchema'],
      annotations: { title: tool.title, ...tool.annotations },
      execution: { taskSupport: tool.taskSupport },
      ...(tool.meta ? { _meta: { ...tool.meta } } : {}),
    }));
    return this.listing;
  }

  /**
   * One page of `tools/list`. The catalog is a single page, so this server issues no cursor and
   * any cursor is one it did not issue: -32602, never a silent first page.
   */
  page(cursor: string | undefined): Tool[] {
    if (cursor !== undefined) throw new RpcError(RpcCode.InvalidParams, 'Invalid cursor: tools/list has a single page, so there is no cursor to pass');
    return this.list();
  }

  /** Resolves and validates a `tools/call`; unknown tools and bad arguments are `-32602`. */
  prepare(name: string, args: unknown, meta: Record<string, unknown> | undefined): PreparedCall {
    const tool = this.tools.get(name);
    if (!tool) throw new RpcError(RpcCode.InvalidParams, `Unknown tool: ${name}`);
    const parsed = tool.inputSchema.safeParse(args ?? {});
    if (!parsed.success) throw new RpcError(RpcCode.InvalidParams, `Invalid arguments for tool ${name}: ${describeIssues(parsed.error)}`);
    const limits = ResourceLimitsSchema.safeParse(meta?.[META.resourceLimits] ?? {});
    if (!limits.success) throw new RpcError(RpcCode.InvalidParams, `Invalid ${META.resourceLimits}: ${describeIssues(limits.error)}`);
    return { tool, args: parsed.data as Record<string, unknown>, limits: limits.data };
  }
}

/** Runs a prepared call, refusing command-running tools in an untrusted workspace. */
export async function runTool(host: TaskHost, call: PreparedCall, context: ToolContext): Promise<CallToolResult> {
  if (call.tool.runsCommands && !host.isTrusted()) {
    return {
      content: [
        {
          type: 'text',
          text: `${call.tool.name} did not run: this workspace is not trusted, and Tasklane runs no commands in untrusted workspaces. Trust the workspace to allow it.`,
        },
      ],
      isError: true,
    };
  }
  return call.tool.run(call.args, context);
}
