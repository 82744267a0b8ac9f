import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { TaskStore } from '../../core/taskStore';
import { AgentTaskMirror } from '../../mcp/agents/agentTaskMirror';
import type { TaskService } from '../../mcp/client/taskService';
import { EMBEDDED_SERVER_ID, type EmbeddedServer } from '../../mcp/embeddedServer';
import { AgentAccess } from './agentAccess';
import { registerAgentCommands } from './agentCommands';
import { AgentTokens } from './agentTokens';
import { CHAT_PROVIDER_ID, ChatDefinitionProvider } from './chatDefinitionProvider';

/**
 * Agents reaching Tasklane: each with its own token (`tokens`), over loopback HTTP (`access`) or
 * through VS Code's chat (`chat`), and every agent's tasks shown in the editor (`mirror`).
 */
export class Agents extends Disposable {
  readonly tokens: AgentTokens;
  readonly access: AgentAccess;
  readonly mirror: AgentTaskMirror;
  readonly chat: ChatDefinitionProvider;
  /** Whether `vscode.lm.registerMcpServerDefinitionProvider` accepted the chat provider. */
  readonly offeredToChat: boolean;
  /** Settles once tokens are loaded and the server runs (or says why not). */
  readonly ready: Promise<void>;

  constructor(context: vscode.ExtensionContext, embedded: EmbeddedServer, store: TaskStore, service: TaskService, log: vscode.LogOutputChannel) {
    super();
    this.tokens = this._register(new AgentTokens(context.secrets, context.globalState, log));
    this.access = this._register(new AgentAccess(embedded, this.tokens.credentials, context.workspaceState, log));
    this.mirror = this._register(
      new AgentTaskMirror(embedded.engine, store, {
        serverId: EMBEDDED_SERVER_ID,
        agentOf: (owner) => this.tokens.identityOf(owner),
        log,
      }),
    );
    service.foreignTasks = this.mirror;
    this._register({ dispose: () => (service.foreignTasks = undefined) });
    this.chat = this._register(new ChatDefinitionProvider(this.access, this.tokens));
    this.offeredToChat = this.registerChatProvider(log);
    for (const command of registerAgentCommands(this.access, this.tokens, log)) this._register(command);
    this.ready = this.tokens.load().then(() => this.access.apply());
  }

  private registerChatProvider(log: vscode.LogOutputChannel): boolean {
    try {
      this._register(vscode.lm.registerMcpServerDefinitionProvider(CHAT_PROVIDER_ID, this.chat));
      return true;
    } catch (error) {
      // Hosts without MCP support in chat still serve outside agents over HTTP.
      log.warn(`[agents] this editor does not take MCP servers from extensions; Tasklane is not offered to chat: ${(error as Error).message}`);
      return false;
    }
  }
}
