import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { Emitter } from '../../core/events';
import { Disposable } from '../../core/lifecycle';
import type { JsonSchema } from '../../core/schemaForm';
import type { ArgumentChoice, ConfiguredServer, NewServer, ServerDirectory, ServerInfo, ToolInfo } from '../../core/serverDirectory';
import { EMBEDDED_SERVER_ID } from '../../core/embeddedServer';
import { taskOffers } from '../../core/workspaceTaskChoice';
import { fetchWorkspaceTasks } from '../tools/workspaceTasks';
import type { ServerEntry, TaskService } from '../../mcp/client/taskService';
import type { ServerManager } from './serverManager';
import type { WireCaptureSettings } from './wireCaptureSettings';

/**
 * The servers as views and commands see them: the task service's connections (the embedded server
 * and every connected external one) and the server manager's configuration, as plain data.
 */
export class HostServerDirectory extends Disposable implements ServerDirectory {
  private readonly _onDidChange = this._register(new Emitter<void>());
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly service: TaskService,
    private readonly manager?: ServerManager,
    private readonly wireCapture?: WireCaptureSettings,
  ) {
    super();
    this._register(service.onDidChangeServers(() => this._onDidChange.fire()));
    if (manager) this._register(manager.onDidChange(() => this._onDidChange.fire()));
    if (wireCapture) this._register(wireCapture.onDidChange(() => this._onDidChange.fire()));
  }

  connected(): ServerInfo[] {
    const entries = this.service.listServers().map((entry) => this.withCapture(toInfo(entry)));
    return [...entries.filter((entry) => entry.kind === 'embedded'), ...entries.filter((entry) => entry.kind !== 'embedded')];
  }

  get(id: string): ServerInfo | undefined {
    const entry = this.service.getServer(id);
    return entry && this.withCapture(toInfo(entry));
  }

  nameOf(id: string): string {
    return this.service.getServer(id)?.name ?? id;
  }

  configured(): ConfiguredServer[] {
    return (this.manager?.list() ?? []).map((view) => this.withCapture(view));
  }

  isCapturingWire(id: string): boolean {
    return this.wireCapture?.isCaptured(id) ?? false;
  }

  async setWireCapture(serverId: string, on: boolean): Promise<void> {
    if (!this.wireCapture) throw new Error('Capturing wire messages is not available in this window.');
    await this.wireCapture.setCaptured(serverId, on);
  }

  async tools(id: string): Promise<ToolInfo[]> {
    const entry = this.service.getServer(id);
    if (!entry) throw new Error(`The server "${id}" is not connected.`);
    return (await entry.client.listTools()).map(toToolInfo);
  }

  async argumentChoices(serverId: string, tool: string): Promise<Record<string, ArgumentChoice[]> | undefined> {
    // The editor's workspace-task tools take a task's label: offer the workspace's tasks (test tasks for run_tests).
    if (serverId !== EMBEDDED_SERVER_ID || (tool !== 'run_tests' && tool !== 'run_vscode_task')) return undefined;
    const offers = taskOffers(await fetchWorkspaceTasks(), { testsOnly: tool === 'run_tests' });
    return { label: offers.map((offer) => ({ value: offer.label, label: offer.label, ...(offer.description ? { description: offer.description } : {}) })) };
  }

  add(server: NewServer, target: 'user' | 'workspace'): Promise<string> {
    return this.requireManager().add(server, target);
  }

  reconnect(id: string): Promise<void> {
    return this.requireManager().reconnect(id);
  }

  disconnect(id: string): Promise<void> {
    return this.requireManager().disconnect(id);
  }

  setToken(id: string, token: string | undefined): Promise<void> {
    return this.requireManager().setToken(id, token);
  }

  showLog(id: string): void {
    this.requireManager().showLog(id);
  }

  private withCapture<T extends { readonly id: string }>(server: T): T & { readonly wireCapture: boolean } {
    return { ...server, wireCapture: this.isCapturingWire(server.id) };
  }

  private requireManager(): ServerManager {
    if (!this.manager) throw new Error('External servers are not available in this window.');
    return this.manager;
  }
}

function toInfo(entry: ServerEntry): ServerInfo {
  const { client } = entry;
  return {
    id: entry.id,
    name: entry.name,
    kind: entry.kind,
    durable: entry.durable,
    wire: client.wire,
    supportsTasks: client.supportsTasks,
    supportsList: client.supportsList,
  };
}

function toToolInfo(tool: Tool): ToolInfo {
  const taskSupport = tool.execution?.taskSupport;
  return {
    name: tool.name,
    ...(tool.title ? { title: tool.title } : {}),
    ...(tool.description ? { description: tool.description } : {}),
    inputSchema: tool.inputSchema as JsonSchema,
    runsAsTask: taskSupport !== undefined && taskSupport !== 'forbidden',
    destructive: tool.annotations?.destructiveHint === true,
    notIdempotent: tool.annotations?.idempotentHint === false,
  };
}
