/**
 * One dedicated connection per instance that LISTENs on the team database's channels, shared by
 * everything that follows them (the other instances' task changes, forwarded commands, token
 * changes): a connection per follower would cost the database two more sessions per instance.
 * When the connection drops it listens again (every second until the database answers) and tells
 * each subscriber through `onListening`, so it reads anew what it may have missed meanwhile.
 */
import { Client } from 'pg';
import { Disposable, type IDisposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { connectionProblem } from './database';

export interface ChannelListenerOptions {
  readonly url: string;
  /** Every channel any subscriber will follow: they are listened on once, as the connection opens. */
  readonly channels: readonly string[];
  readonly log?: Logger;
  readonly retryMs?: number;
}

/** One follower of some of the channels. */
export interface ChannelSubscription {
  readonly channels: readonly string[];
  /** What it follows, for the log ("token changes"). */
  readonly purpose: string;
  readonly onNotification: (channel: string, payload: string) => void;
  /** Listening again after the connection dropped: read anew what may have been missed. */
  readonly onListening?: () => Promise<void>;
}

export class ChannelListener extends Disposable {
  private client: Client | undefined;
  private closed = false;
  private readonly subscriptions = new Set<ChannelSubscription>();
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

  /** Follows `subscription.channels` (among those the connection listens on) until disposed. */
  subscribe(subscription: ChannelSubscription): IDisposable {
    const unknown = subscription.channels.filter((channel) => !this.options.channels.includes(channel));
    if (unknown.length > 0) throw new Error(`the listening connection does not listen on ${unknown.join(', ')}`);
    this.subscriptions.add(subscription);
    return toDisposable(() => this.subscriptions.delete(subscription));
  }

  private notify(channel: string, payload: string): void {
    for (const subscription of this.subscriptions) {
      if (!subscription.channels.includes(channel)) continue;
      try {
        subscription.onNotification(channel, payload);
      } catch (error) {
        // One follower's fault must not keep the notification from the others.
        this.log.error(`[store] following ${subscription.purpose} failed on a notification: ${String(error)}`);
      }
    }
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.options.url });
    client.on('notification', (message) => this.notify(message.channel, message.payload ?? ''));
    client.on('error', (error) => {
      const following = [...this.subscriptions].map((subscription) => subscription.purpose).join(', ') || 'the team';
      this.log.warn(`[store] lost the database connection that follows ${following} (${connectionProblem(error)}); reconnecting`);
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
          .then(() => this.caughtUp())
          .catch(retry);
      }, this.options.retryMs ?? 1000);
      timer.unref();
    };
    retry();
  }

  private async caughtUp(): Promise<void> {
    await Promise.all(
      [...this.subscriptions].map((subscription) =>
        subscription.onListening?.().catch((error: unknown) => this.log.warn(`[store] could not catch up on ${subscription.purpose}: ${String(error)}`)),
      ),
    );
  }

  override dispose(): void {
    this.closed = true;
    this.subscriptions.clear();
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
    super.dispose();
  }
}
