import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { AgentTaskMirror } from '../../mcp/agents/agentTaskMirror';
import type { EmbeddedServer } from '../../mcp/embeddedServer';
import { AgentAccess } from './agentAccess';
import { registerAgentCommands } from './agentCommands';
import type { AgentTokens } from './agentTokens';
import { CHAT_PROVIDER_ID, ChatDefinitionProvider } from './chatDefinitionProvider';

/**
 * Agents reaching Tasklane: each with its own token (`tokens`), over loopback HTTP (`access`) or
 * through VS Code's chat (`chat`), and every agent's tasks shown in the editor (`mirror`).
 * The tokens and the mirror are built and owned by the caller: the task service needs the mirror
 * from its construction on, before the agents' endpoint exists.
 */
export class Agents extends Disposable {
  readonly access: AgentAccess;
  readonly chat: ChatDefinitionProvider;
  /** Whether `vscode.lm.registerMcpServerDefinitionProvider` accepted the chat provider. */
  readonly offeredToChat: boolean;
  /** Settles once tokens are loaded and the server runs (or says why not). */
  readonly ready: Promise<void>;

  constructor(
    context: vscode.ExtensionContext,
    embedded: EmbeddedServer,
    readonly tokens: AgentTokens,
    readonly mirror: AgentTaskMirror,
    log: vscode.LogOutputChannel,
  ) {
    super();
    this.access = this._register(new AgentAccess(embedded, tokens.credentials, context.workspaceState, log));
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
