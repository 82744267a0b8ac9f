/**
 * The tokens a server accepts, read from the team database and kept in memory: the HTTP server
 * checks a bearer token on every request without a query. A token created or revoked anywhere is
 * announced on TOKENS_CHANNEL and the directory reads them all again at once; a periodic read
 * covers notifications lost while the listening connection was down.
 */
import type { Pool } from 'pg';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type { Logger } from '../../core/logger';
import type { ChannelListener } from './channelListener';
import { TOKENS_CHANNEL, type TokenPrincipal, activeTokens, seesEveryTask, tokenHash } from './principals';

export class TokenDirectory extends Disposable {
  private tokens = new Map<string, TokenPrincipal>();
  /** The principals with a token in use that see every task (board), by name. */
  private seeingAll = new Set<string>();

  private constructor(private readonly pool: Pool) {
    super();
  }

  /** Reads the tokens and starts following their changes. */
  static async open(pool: Pool, channels: ChannelListener, options: { log?: Logger; refreshMs?: number } = {}): Promise<TokenDirectory> {
    const directory = new TokenDirectory(pool);
    await directory.refresh();
    directory._register(
      channels.subscribe({
        channels: [TOKENS_CHANNEL],
        purpose: 'token changes',
        onNotification: () => void directory.refresh().catch(() => undefined),
        onListening: () => directory.refresh(),
      }),
    );
    const timer = setInterval(() => void directory.refresh().catch(() => undefined), options.refreshMs ?? 30_000);
    timer.unref();
    directory._register(toDisposable(() => clearInterval(timer)));
    return directory;
  }

  get size(): number {
    return this.tokens.size;
  }

  /** The principal a token stands for, or undefined (unknown or revoked). */
  readonly authenticate = (token: string): string | undefined => this.tokens.get(tokenHash(token).toString('hex'))?.name;

  /** Whether the principal so named sees every task (principals.ts `seesEveryTask`); false once its token is revoked. */
  readonly seesEveryTask = (name: string): boolean => this.seeingAll.has(name);

  async refresh(): Promise<void> {
    const tokens = await activeTokens(this.pool);
    this.tokens = tokens;
    this.seeingAll = new Set([...tokens.values()].filter((principal) => seesEveryTask(principal.role)).map((principal) => principal.name));
  }
}
