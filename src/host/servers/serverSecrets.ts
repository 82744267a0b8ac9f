import type * as vscode from 'vscode';

const TOKEN_PREFIX = 'tasklane.servers/token/';
const INPUT_PREFIX = 'tasklane.servers/input/';

interface StoredToken {
  readonly token: string;
  /** The URL origin the token was given for: it is never sent anywhere else. */
  readonly origin: string;
}

/**
 * Server credentials in VS Code's SecretStorage (the OS keychain): bearer tokens set with
 * "Set Server Token…" and the answers to `.vscode/mcp.json` input prompts. Nothing here goes to
 * settings or logs.
 */
export class ServerSecrets {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async setToken(serverId: string, url: string, token: string): Promise<void> {
    const stored: StoredToken = { token, origin: new URL(url).origin };
    await this.secrets.store(TOKEN_PREFIX + serverId, JSON.stringify(stored));
  }

  async deleteToken(serverId: string): Promise<void> {
    await this.secrets.delete(TOKEN_PREFIX + serverId);
  }

  /** The token for a server, if one was set for this URL's origin; `mismatch` when it was set for another. */
  async token(serverId: string, url: string): Promise<{ token?: string; mismatch?: string }> {
    const raw = await this.secrets.get(TOKEN_PREFIX + serverId);
    if (!raw) return {};
    let stored: StoredToken;
    try {
      stored = JSON.parse(raw) as StoredToken;
    } catch {
      return {};
    }
    if (stored.origin !== new URL(url).origin) return { mismatch: stored.origin };
    return { token: stored.token };
  }

  async hasToken(serverId: string): Promise<boolean> {
    return (await this.secrets.get(TOKEN_PREFIX + serverId)) !== undefined;
  }

  async input(origin: string, inputId: string): Promise<string | undefined> {
    return this.secrets.get(inputKey(origin, inputId));
  }

  async setInput(origin: string, inputId: string, value: string): Promise<void> {
    await this.secrets.store(inputKey(origin, inputId), value);
  }

  async deleteInput(origin: string, inputId: string): Promise<void> {
    await this.secrets.delete(inputKey(origin, inputId));
  }
}

function inputKey(origin: string, inputId: string): string {
  return `${INPUT_PREFIX}${origin}#${inputId}`;
}
