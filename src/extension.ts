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
import { WireLogStore } from './core/wireLogStore';
import type { WireLogReader } from './core/wireLog';
import { WireCaptureSettings } from './host/servers/wireCaptureSettings';
import { RetentionRunner } from './core/retentionRunner';
import { BackgroundStart } from './host/backgroundStart';
import { LoadingMessage } from './ui/loadingMessage';
import { ScheduleRunner } from './core/scheduleRunner';
import { ScheduleFile } from './core/scheduleFile';
import { SchedulesView } from './ui/schedules/schedulesView';

/** What the extension exports: the live objects, for other extensions and for the integration tests. */
export interface TasklaneApi {
  readonly store: TaskStore;
  /** Captured wire logs, beside the store: what the detail panel reads (`readWireLog`, `onDidChangeWireLog`). */
  readonly wireLogs: WireLogReader;
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
  /** The workspace's schedules (kept in the store's folder) and what runs them. */
  readonly schedules: ScheduleRunner;
  readonly schedulesView: SchedulesView;
  /** Where the task store lives. */
  readonly storageDirectory: string;
  /** This extension's log folder (`context.logUri`); the extension host's own log is in its parent. */
  readonly logDirectory: string;
  /** How long `activate` took, in ms: our own code, from its first line to its return. */
  readonly activationMs: number;
  /**
   * Settles once the store has read its tasks (unfinished ones re-attached or ended, retention
   * applied) and the embedded server is connected; never rejects. Activation returns before: until
   * then the store is empty, and `service.getServer('tasklane')` is undefined.
   */
  readonly ready: Promise<void>;
}

export async function activate(context: vscode.ExtensionContext): Promise<TasklaneApi> {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Tasklane', { log: true });
  context.subscriptions.push(log);

  const storage = context.storageUri ?? context.globalStorageUri;
  const warn = (message: string, error?: Error) => {
    log.warn(message, ...(error ? [error] : []));
    void vscode.window.showWarningMessage(message, 'Show Log').then((choice) => choice && log.show());
  };
  // The store reads its records after activation (BackgroundStart): nothing proportional to history runs here.
  const store = new TaskStore({
    directory: storage.fsPath,
    openLater: true,
    resultSideFileBytes: () => setting('tasklane.results.sideFileThresholdKB') * 1024,
    onProblem: warn,
  });
  context.subscriptions.push(store);
  const wireLogs = new WireLogStore({
    directory: storage.fsPath,
    limits: () => ({ maxMessages: setting('tasklane.wire.maxMessages'), maxBytes: setting('tasklane.wire.maxKB') * 1024 }),
    lifecycle: store.onDidLifecycle,
    onProblem: warn,
  });
  context.subscriptions.push(wireLogs);

  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
  const retentionLimits = () => ({ days: setting('tasklane.retention.days'), maxTasks: setting('tasklane.retention.maxTasks') });
  const schedulerLimits = () => ({ maxConcurrent: setting('tasklane.scheduler.maxConcurrent'), toolLimits: setting('tasklane.scheduler.toolLimits') });
  // Built when first needed; connected to the editor's client in the background.
  const embedded = new EmbeddedServer({
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
  const agentTasks = new AgentTaskMirror(() => embedded.engine, store, {
    serverId: EMBEDDED_SERVER_ID,
    agentOf: (owner) => agentTokens.identityOf(owner),
    log,
  });
  context.subscriptions.push(agentTokens, agentTasks);
  const service = new TaskService(store, {
    log,
    samplingHandler: sampler.handle,
    foreignTasks: agentTasks,
    retryPolicies: () => setting('tasklane.retry.policies'),
  });
  context.subscriptions.push(service);

  const servers = new ServerManager(context, service, log);
  const wireCapture = new WireCaptureSettings(service, store, wireLogs, (serverId) => servers.secretValuesOf(serverId));
  context.subscriptions.push(wireCapture);
  const directory = new HostServerDirectory(service, servers, wireCapture);
  const actions = new EditorTaskActions(service, store, embedded, wireLogs);
  const ui = new TasklaneUi(context, store, actions, directory, log, wireLogs);
  // Applies itself once the store has opened.
  const retention = new RetentionRunner(store, retentionLimits, log);
  context.subscriptions.push(
    servers,
    directory,
    ui,
    new LoadingMessage([ui.treeView, ui.archiveView], store),
    retention,
    ...registerServerCommands(directory, log),
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('tasklane.retention') && retention.apply()),
  );
  // Schedules run tasks through the same port as the views; they start once the store has read its tasks.
  const schedules = new ScheduleRunner({
    file: new ScheduleFile(storage.fsPath),
    actions,
    tasks: store,
    isConnected: (serverId) => !!directory.get(serverId),
    log,
    onProblem: (message) => warn(message),
    requestedTtlMs: () => setting('tasklane.tasks.requestedTtlMinutes') * 60_000,
  });
  const schedulesView = new SchedulesView(schedules, store, directory, ui.changes.onDidChange, log);
  context.subscriptions.push(schedules, schedulesView);
  // The HTTP server for agents starts in the background, once their tokens are loaded.
  const agents = new Agents(context, embedded, agentTokens, agentTasks, log);
  context.subscriptions.push(agents);
  // After activation has returned: the embedded server, then the store's records, then the external servers' connections.
  const background = new BackgroundStart({
    store,
    embedded,
    register: (server) => service.addServer(server.entry),
    afterOpen: () => void servers.start(),
    log,
    onProblem: (message) => warn(message),
  });
  context.subscriptions.push(background);
  void background.ready.then(() => log.info(`Tasklane has ${store.size} tasks from ${storage.fsPath}`));
  void background.ready.then(() => schedules.start());

  const activationMs = performance.now() - started;
  log.info(`Tasklane active in ${activationMs.toFixed(1)} ms; its tasks are read in the background`);
  return {
    store,
    wireLogs,
    service,
    embedded,
    ui,
    actions,
    directory,
    retention,
    servers,
    sampler,
    agents,
    schedules,
    schedulesView,
    storageDirectory: storage.fsPath,
    logDirectory: context.logUri.fsPath,
    activationMs,
    ready: background.ready,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
