import * as vscode from 'vscode';
import type { InputDefinition } from '../../mcp/client/launchVariables';
import type { Launch, ServerConfig } from '../../mcp/client/serverConfig';
import { resolveLaunch } from '../../mcp/client/serverLaunch';
import { type ServerConnection, connectHttp, connectStdio } from '../../mcp/client/serverConnections';
import type { Logger } from '../../core/logger';
import { ServerSecrets } from './serverSecrets';

/** Opens a connection to a resolved launch: the real transports, or a test's stand-in. */
export type OpenConnection = (launch: Launch, options: { token?: string; log: Logger }) => Promise<ServerConnection>;

/** Asks the person for an input's value. */
export type InputPrompt = (config: ServerConfig, input: InputDefinition) => Thenable<string | undefined>;

/**
 * Turns a server's configuration into a connection: fills in `${input:...}` answers (remembered in
 * SecretStorage, else asked, one prompt at a time), adds the bearer token kept for the server's
 * origin, and opens the transport. Everything secret a connection needs lives behind this one
 * object, so the manager handles servers without ever touching a credential.
 */
export class ServerConnector {
  private readonly secrets: ServerSecrets;
  /** One prompt at a time, however many servers need answers. */
  private promptQueue: Promise<unknown> = Promise.resolve();
  /** By server id: the answers to its `"password": true` inputs and its token, as its last connection used them (for wire capture to redact). */
  private readonly secretValues = new Map<string, readonly string[]>();

  /** Asks the person for an input's value (replaceable by tests; the real one is an input box or a quick pick). */
  prompt: InputPrompt = promptForInput;

  constructor(
    secrets: vscode.SecretStorage,
    private readonly open: OpenConnection = openConnection,
  ) {
    this.secrets = new ServerSecrets(secrets);
  }

  async connect(config: ServerConfig, log: vscode.LogOutputChannel): Promise<ServerConnection> {
    const launch = await this.resolve(config, log);
    let token: string | undefined;
    if (launch.type === 'http') {
      const stored = await this.secrets.token(config.id, launch.url);
      if (stored.mismatch)
        log.warn(
          `the stored token was set for ${stored.mismatch}, not ${new URL(launch.url).origin}; it is not sent. Set it again with "Tasklane: Set Server Token…".`,
        );
      token = stored.token;
    }
    if (token) this.secretValues.set(config.id, [...(this.secretValues.get(config.id) ?? []), token]);
    return this.open(launch, { token, log });
  }

  /** Values that are secret for the server wherever they appear: its password inputs' answers and its token. */
  secretValuesOf(serverId: string): readonly string[] {
    return this.secretValues.get(serverId) ?? [];
  }

  hasToken(serverId: string): Promise<boolean> {
    return this.secrets.hasToken(serverId);
  }

  /** Keeps (or, without a token, removes) an HTTP server's bearer token, bound to the server's origin. */
  async setToken(config: ServerConfig, log: vscode.LogOutputChannel, token: string | undefined): Promise<void> {
    const launch = config.launch;
    if (launch.type !== 'http') throw new Error(`${config.name} is a stdio server; tokens are for HTTP servers.`);
    if (token) {
      // The token is bound to the server's origin; a URL with variables is resolved first.
      const resolved = launch.url.includes('${') ? await this.resolve(config, log) : launch;
      await this.secrets.setToken(config.id, resolved.type === 'http' ? resolved.url : launch.url, token);
      log.info('a bearer token was set (kept in SecretStorage)');
    } else {
      await this.secrets.deleteToken(config.id);
      log.info('the bearer token was removed');
    }
  }

  /** Forgets a remembered input answer, so the next connection asks again. */
  async forgetInput(config: ServerConfig, inputId: string): Promise<void> {
    await this.secrets.deleteInput(config.origin, inputId);
  }

  private async resolve(config: ServerConfig, log: vscode.LogOutputChannel): Promise<Launch> {
    const secrets: string[] = [];
    const launch = await resolveLaunch(config, {
      env: process.env,
      input: async (input) => {
        const answer = await this.answer(config, input);
        if (input.password && answer) secrets.push(answer);
        return answer;
      },
    });
    this.secretValues.set(config.id, secrets);
    if (config.inputs.length)
      log.info(
        `filled in ${config.inputs.length} input${config.inputs.length === 1 ? '' : 's'} (${config.inputs.map((i) => i.id).join(', ')}); answers are kept in SecretStorage`,
      );
    return launch;
  }

  /** Answers an `${input:...}`: the remembered answer, or a prompt (one at a time). */
  private answer(config: ServerConfig, input: InputDefinition): Promise<string | undefined> {
    const ask = async (): Promise<string | undefined> => {
      const known = await this.secrets.input(config.origin, input.id);
      if (known !== undefined) return known;
      const answer = await this.prompt(config, input);
      if (answer !== undefined) await this.secrets.setInput(config.origin, input.id, answer);
      return answer;
    };
    const next = this.promptQueue.then(ask, ask);
    this.promptQueue = next.catch(() => undefined);
    return next;
  }
}

function promptForInput(config: ServerConfig, input: InputDefinition): Thenable<string | undefined> {
  const title = `Tasklane: ${config.name}`;
  const prompt = input.description || `A value for \${input:${input.id}}`;
  return input.type === 'pickString'
    ? vscode.window.showQuickPick([...(input.options ?? [])], { title, placeHolder: prompt, ignoreFocusOut: true })
    : vscode.window.showInputBox({ title, prompt, password: input.password, value: input.default, ignoreFocusOut: true });
}

/** The real transports: stdio (2025-11-25) or HTTP (wire negotiated by connectServer.ts). */
function openConnection(launch: Launch, options: { token?: string; log: Logger }): Promise<ServerConnection> {
  return launch.type === 'stdio' ? connectStdio(launch, { log: options.log }) : connectHttp(launch, options);
}
