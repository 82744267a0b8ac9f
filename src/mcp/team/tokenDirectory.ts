/**
 * The tokens a server accepts, read from the team database and kept in memory: the HTTP server
 * checks a bearer token on every request without a query. A token created or revoked anywhere is
 * announced on TOKENS_CHANNEL and the directory reads them all again at once; a periodic read
 * covers notifications lost while the listening connection was down.
 */
import { Client, type Pool } from 'pg';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { connectionProblem } from './database';
import { TOKENS_CHANNEL, activeTokens, tokenHash } from './principals';

export class TokenDirectory extends Disposable {
  private tokens = new Map<string, string>();
  private listener: Client | undefined;
  private closed = false;
  private readonly log: Logger;

  private constructor(
    private readonly pool: Pool,
    private readonly url: string,
    log: Logger | undefined,
  ) {
    super();
    this.log = log ?? silentLogger;
  }

  /** Reads the tokens and starts following their changes. */
  static async open(pool: Pool, url: string, options: { log?: Logger; refreshMs?: number } = {}): Promise<TokenDirectory> {
    const directory = new TokenDirectory(pool, url, options.log);
    await directory.refresh();
    await directory.listen();
    const timer = setInterval(() => void directory.refresh().catch(() => undefined), options.refreshMs ?? 30_000);
    timer.unref();
    directory._register(toDisposable(() => clearInterval(timer)));
    return directory;
  }

  get size(): number {
    return this.tokens.size;
  }

  /** The principal a token stands for, or undefined (unknown or revoked). */
  readonly authenticate = (token: string): string | undefined => this.tokens.get(tokenHash(token).toString('hex'));

  async refresh(): Promise<void> {
    this.tokens = await activeTokens(this.pool);
  }

  /** One dedicated connection for LISTEN; when it drops, listen again and read everything anew. */
  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.url });
    client.on('notification', () => void this.refresh().catch(() => undefined));
    client.on('error', (error) => {
      this.log.warn(`[tokens] lost the database connection that follows token changes (${connectionProblem(error)}); reconnecting`);
      this.relisten(client);
    });
    client.on('end', () => this.relisten(client));
    await client.connect();
    await client.query(`LISTEN ${TOKENS_CHANNEL}`);
    this.listener = client;
  }

  private relisten(client: Client): void {
    if (this.closed || this.listener !== client) return;
    this.listener = undefined;
    const retry = (): void => {
      const timer = setTimeout(() => {
        if (this.closed) return;
        this.listen()
          .then(() => this.refresh())
          .catch(retry);
      }, 1000);
      timer.unref();
    };
    retry();
  }

  override dispose(): void {
    this.closed = true;
    const listener = this.listener;
    this.listener = undefined;
    void listener?.end().catch(() => undefined);
    super.dispose();
  }
}
