import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import { Emitter } from '../../core/events';
import { AgentCredentials, type AgentIdentity, agentIdOf } from '../../mcp/agents/agentCredentials';
import { slugify } from '../../core/text';
import { generateToken } from '../../mcp/server/httpServer';

/** Names of the agents let in (no secrets), in globalState: shared by every window, like the tokens. */
const INDEX_KEY = 'tasklane.agents';
const TOKEN_PREFIX = 'tasklane.agents/token/';

/** The agent VS Code's own chat connects as. */
export const CHAT_AGENT: AgentIdentity = { id: 'vscode-chat', name: 'VS Code Chat' };

/**
 * Each agent's bearer token, in VS Code's SecretStorage (the OS keychain), never in settings or
 * logs. Tokens and the agent list are global, so an agent's token works with every window; the
 * in-memory `credentials` are what the HTTP server checks, kept in step with the secrets (also
 * when another window rotates or revokes a token).
 */
export class AgentTokens extends Disposable {
  readonly credentials = new AgentCredentials();
  private readonly _onDidChange = this._register(new Emitter<AgentIdentity>());
  /** An agent's token was created, rotated or revoked. */
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly globalState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(secrets.onDidChange((event) => void this.onSecretChanged(event.key)));
  }

  /** Loads every known agent's token into `credentials`. */
  async load(): Promise<void> {
    for (const identity of this.list()) {
      const token = await this.secrets.get(TOKEN_PREFIX + identity.id);
      if (token) this.credentials.set(identity, token);
    }
    this.log.info(`[agents] ${this.credentials.list().length} agent token(s) loaded`);
  }

  list(): AgentIdentity[] {
    return this.globalState.get<AgentIdentity[]>(INDEX_KEY, []);
  }

  /** The agent a task owner (`agent:<id>`) stands for. */
  identityOf(owner: string): AgentIdentity | undefined {
    const id = agentIdOf(owner);
    return id === undefined ? undefined : (this.credentials.identity(id) ?? this.list().find((agent) => agent.id === id));
  }

  /** The agent's token, creating the agent (and its token) when it is new. */
  async tokenFor(identity: AgentIdentity): Promise<string> {
    const existing = await this.secrets.get(TOKEN_PREFIX + identity.id);
    if (existing) {
      this.credentials.set(identity, existing);
      return existing;
    }
    return this.issue(identity, 'created');
  }

  /** A new agent with a unique id derived from `name`. */
  async create(name: string): Promise<{ identity: AgentIdentity; token: string }> {
    const trimmed = name.trim();
    if (!trimmed) throw new Error('An agent needs a name.');
    // Never reuse an id: tasks are owned by `agent:<id>`, so a new agent must not inherit a revoked one's tasks.
    const identity = { id: `${slugify(trimmed) || 'agent'}-${randomBytes(3).toString('hex')}`, name: trimmed };
    return { identity, token: await this.issue(identity, 'created') };
  }

  /** Replaces the agent's token: the old one is refused from this moment on. */
  async rotate(identity: AgentIdentity): Promise<string> {
    return this.issue(identity, 'rotated');
  }

  /** Removes the agent's token; its requests are refused from this moment on. */
  async revoke(identity: AgentIdentity): Promise<void> {
    this.credentials.delete(identity.id);
    await this.secrets.delete(TOKEN_PREFIX + identity.id);
    await this.globalState.update(
      INDEX_KEY,
      this.list().filter((agent) => agent.id !== identity.id),
    );
    this.log.info(`[agents] access revoked for "${identity.name}"`);
    this._onDidChange.fire(identity);
  }

  private async issue(identity: AgentIdentity, what: 'created' | 'rotated'): Promise<string> {
    const token = generateToken();
    // Memory first, so the old token is refused before the (slower) keychain write returns.
    this.credentials.set(identity, token);
    await this.secrets.store(TOKEN_PREFIX + identity.id, token);
    if (!this.list().some((agent) => agent.id === identity.id)) await this.globalState.update(INDEX_KEY, [...this.list(), identity]);
    this.log.info(`[agents] token ${what} for "${identity.name}"`);
    this._onDidChange.fire(identity);
    return token;
  }

  /** Another window rotated or revoked a token: follow it. */
  private async onSecretChanged(key: string): Promise<void> {
    if (!key.startsWith(TOKEN_PREFIX)) return;
    const id = key.slice(TOKEN_PREFIX.length);
    const token = await this.secrets.get(key);
    const identity = this.credentials.identity(id) ?? this.list().find((agent) => agent.id === id) ?? { id, name: id };
    if (token) this.credentials.set(identity, token);
    else this.credentials.delete(id);
    this._onDidChange.fire(identity);
  }
}
