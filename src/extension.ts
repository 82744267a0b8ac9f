import * as os from 'node:os';
import * as vscode from 'vscode';
import { TaskStore } from './core/taskStore';
import type { TaskActions } from './core/taskActions';
import type { ServerDirectory } from './core/serverDirectory';
import { EMBEDDED_SERVER_ID, EmbeddedServer } from './mcp/embeddedServer';
import { TaskService } from './mcp/client/taskService';
import { registerServerCommands } from './ui/servers/serverCommands';
import { ServerManager } from './host/servers/serverManager';
import { LanguageModelSampler } from './host/languageModelSampler';
import { TasklaneUi } from './ui/tasklaneUi';
import { vscodeTools } from './host/tools/vscodeTools';
import { BUILTIN_TOOLS } from './mcp/server/builtinTools';
import { setting } from './platform/config';
import { Agents } from './host/agents/agents';
import { AgentTokens } from './host/agents/agentTokens';
import { AgentTaskMirror } from './mcp/agents/agentTaskMirror';
import { HostServerDirectory } from './host/servers/serverDirectory';
import { EditorTaskActions } from './mcp/client/editorTaskActions';
import { RetentionRunner } from './core/retentionRunner';

/** What the extension exports: the live objects, for other extensions and for the integration tests. */
export interface TasklaneApi {
  readonly store: TaskStore;
  readonly service: TaskService;
  readonly embedded: EmbeddedServer;
  readonly ui: TasklaneUi;
  /** What views and commands do to tasks (core's port), and the servers as they see them. */
  readonly actions: TaskActions;
  readonly directory: ServerDirectory;
  /** Keeps history within the retention settings. */
  readonly retention: RetentionRunner;
  /** External MCP servers (settings and .vscode/mcp.json): their supervisors, states and configuration. */
  readonly servers: ServerManager;
  /** Answers servers' sampling requests with VS Code's language models, with the user's consent. */
  readonly sampler: LanguageModelSampler;
  /** Agents outside the editor and VS Code's chat: their tokens, the HTTP server, and the mirror of their tasks. */
  readonly agents: Agents;
  /** Where the task store lives. */
  readonly storageDirectory: string;
  /** This extension's log folder (`context.logUri`); the extension host's own log is in its parent. */
  readonly logDirectory: string;
  /** How long `activate` took, in ms: our own code, from its first line to its return. */
  readonly activationMs: number;
}

export async function activate(context: vscode.ExtensionContext): Promise<TasklaneApi> {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Tasklane', { log: true });
  context.subscriptions.push(log);

  const storage = context.storageUri ?? context.globalStorageUri;
  const store = new TaskStore({
    directory: storage.fsPath,
    resultSideFileBytes: () => setting('tasklane.results.sideFileThresholdKB') * 1024,
    onProblem: (message, error) => {
      log.warn(message, ...(error ? [error] : []));
      void vscode.window.showWarningMessage(message, 'Show Log').then((choice) => choice && log.show());
    },
  });
  context.subscriptions.push(store);

  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
  const retentionLimits = () => ({ days: setting('tasklane.retention.days'), maxTasks: setting('tasklane.retention.maxTasks') });
  const schedulerLimits = () => ({ maxConcurrent: setting('tasklane.scheduler.maxConcurrent'), toolLimits: setting('tasklane.scheduler.toolLimits') });
  const embedded = await EmbeddedServer.start({
    defaultCwd: workspaceFolder,
    isTrusted: () => vscode.workspace.isTrusted,
    scheduler: schedulerLimits(),
    tools: [...BUILTIN_TOOLS, ...vscodeTools(log)],
  });
  context.subscriptions.push(
    embedded,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('tasklane.scheduler')) embedded.configureScheduler(schedulerLimits());
    }),
  );

  const sampler = new LanguageModelSampler(log);
  const agentTokens = new AgentTokens(context.secrets, context.globalState, log);
  const agentTasks = new AgentTaskMirror(embedded.engine, store, {
    serverId: EMBEDDED_SERVER_ID,
    agentOf: (owner) => agentTokens.identityOf(owner),
    log,
  });
  context.subscriptions.push(agentTokens, agentTasks);
  const service = new TaskService(store, { log, samplingHandler: sampler.handle, foreignTasks: agentTasks });
  context.subscriptions.push(service, service.addServer(embedded.entry));

  const servers = new ServerManager(context, service, log);
  const directory = new HostServerDirectory(service, servers);
  const actions = new EditorTaskActions(service, store, embedded.engine);
  const ui = new TasklaneUi(context, store, actions, directory, log);
  const retention = new RetentionRunner(store, retentionLimits, log);
  context.subscriptions.push(
    servers,
    directory,
    ui,
    retention,
    ...registerServerCommands(directory, log),
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('tasklane.retention') && retention.apply()),
  );
  retention.apply();
  // The HTTP server for agents starts in the background, once their tokens are loaded.
  const agents = new Agents(context, embedded, agentTokens, agentTasks, log);
  context.subscriptions.push(agents);
  // Connections come up in the background; activation does not wait for them.
  void servers.start();

  const activationMs = performance.now() - started;
  log.info(`Tasklane active in ${activationMs.toFixed(1)} ms: ${store.size} tasks loaded from ${storage.fsPath}`);
  return {
    store,
    service,
    embedded,
    ui,
    actions,
    directory,
    retention,
    servers,
    sampler,
    agents,
    storageDirectory: storage.fsPath,
    logDirectory: context.logUri.fsPath,
    activationMs,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
