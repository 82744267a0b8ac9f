import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import { authorizationHeader } from '../../mcp/agents/clientConfigs';
import { EMBEDDED_SERVER_NAME } from '../../core/embeddedServer';
import { setting } from '../../platform/config';
import type { AgentAccess } from './agentAccess';
import { type AgentTokens, CHAT_AGENT } from './agentTokens';

/** The id declared under `contributes.mcpServerDefinitionProviders` in package.json. */
export const CHAT_PROVIDER_ID = 'tasklane.server';
/** Chat lists the server under the name every Tasklane view uses for it. */
export const CHAT_SERVER_LABEL = EMBEDDED_SERVER_NAME;

/**
 * Offers the embedded task server to VS Code's chat as an MCP server over loopback HTTP. Chat is
 * an agent like any other: it gets a token of its own (so it sees only the tasks it started) and
 * the editor's views show its tasks under its name. The token is added only when chat starts the
 * server (`resolve`), so it is not part of the definition the editor lists and may keep.
 */
export class ChatDefinitionProvider extends Disposable implements vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition> {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeMcpServerDefinitions = this._onDidChange.event;

  constructor(
    private readonly access: AgentAccess,
    private readonly tokens: AgentTokens,
  ) {
    super();
    this._register(access.onDidChangeState(() => this._onDidChange.fire()));
    this._register(tokens.onDidChange((agent) => agent.id === CHAT_AGENT.id && this._onDidChange.fire()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('tasklane.agents.offerToChat')) this._onDidChange.fire();
      }),
    );
  }

  provideMcpServerDefinitions(): vscode.McpHttpServerDefinition[] {
    const url = this.access.url;
    if (!url || !setting('tasklane.agents.offerToChat')) return [];
    // The version changes with the endpoint, so chat refreshes its tools when the port moves.
    return [
      new vscode.McpHttpServerDefinition(
        CHAT_SERVER_LABEL,
        vscode.Uri.parse(url),
        {},
        String(this.access.state.kind === 'running' ? this.access.state.port : 0),
      ),
    ];
  }

  async resolveMcpServerDefinition(server: vscode.McpHttpServerDefinition): Promise<vscode.McpHttpServerDefinition | undefined> {
    const url = this.access.url;
    if (!url || !setting('tasklane.agents.offerToChat')) return undefined;
    server.uri = vscode.Uri.parse(url);
    server.headers = { ...server.headers, ...authorizationHeader(await this.tokens.tokenFor(CHAT_AGENT)) };
    return server;
  }
}
