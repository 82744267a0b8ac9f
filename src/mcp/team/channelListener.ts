/**
 * One dedicated connection that LISTENs on the team database's channels. When the connection
 * drops it listens again (every second until the database answers) and says so through
 * `onListening`, so the owner reads anew what it may have missed meanwhile.
 */
import { Client } from 'pg';
import { Disposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { connectionProblem } from './database';

export interface ChannelListenerOptions {
  readonly url: string;
  readonly channels: readonly string[];
  /** What the connection follows, for the log ("token changes"). */
  readonly purpose: string;
  readonly onNotification: (channel: string, payload: string) => void;
  /** Listening again after the connection dropped: read anew what may have been missed. */
  readonly onListening?: () => Promise<void>;
  readonly log?: Logger;
  readonly retryMs?: number;
}

export class ChannelListener extends Disposable {
  private client: Client | undefined;
  private closed = false;
  private readonly log: Logger;

  private constructor(private readonly options: ChannelListenerOptions) {
    super();
    this.log = options.log ?? silentLogger;
  }

  /** Resolves once the connection listens; rejects when the database cannot be reached now. */
  static async open(options: ChannelListenerOptions): Promise<ChannelListener> {
    const listener = new ChannelListener(options);
    await listener.listen();
    return listener;
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.options.url });
    client.on('notification', (message) => this.options.onNotification(message.channel, message.payload ?? ''));
    client.on('error', (error) => {
      this.log.warn(`[store] lost the database connection that follows ${this.options.purpose} (${connectionProblem(error)}); reconnecting`);
      this.relisten(client);
    });
    client.on('end', () => this.relisten(client));
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private relisten(client: Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    const retry = (): void => {
      const timer = setTimeout(() => {
        if (this.closed) return;
        this.listen()
          .then(() => this.options.onListening?.())
          .catch(retry);
      }, this.options.retryMs ?? 1000);
      timer.unref();
    };
    retry();
  }

  override dispose(): void {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
    super.dispose();
  }
}
