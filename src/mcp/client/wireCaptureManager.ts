/**
 * Capture, per server: while a server's capture is on, a tap sits on its connection (wireTap.ts)
 * and what it sees goes through that connection's `ConnectionCapture` to the task records' logs.
 * When it is off the tap is removed, so the server's path is the plain one. A reconnected server
 * is a new client: the tap follows it.
 */
import type { Event } from '../../core/events';
import { Disposable, type IDisposable } from '../../core/lifecycle';
import type { TaskReader } from '../../core/taskStore';
import type { KeepOptions } from '../../core/wireRedaction';
import type { ServerEntry } from './taskService';
import type { TaskWireClient } from './taskWire';
import { ConnectionCapture } from './wireCapture';
import { type WireLogSink, WireRecords } from './wireRecords';

/** A string value longer than this is cut in a kept message (characters). */
export const WIRE_STRING_CHARS = 4_096;

export interface WireCaptureOptions {
  /** Whether capture is on for the server (setting `tasklane.wire.captureServers`). */
  readonly isCaptured: (serverId: string) => boolean;
  /** Values that are secret for the server wherever they appear (its password inputs, its token). */
  readonly secretValuesOf?: (serverId: string) => readonly string[];
  readonly maxStringChars?: number;
}

export interface CapturedServers {
  listServers(): readonly ServerEntry[];
  readonly onDidChangeServers: Event<void>;
}

export class WireCaptureManager extends Disposable {
  private readonly taps = new Map<string, { readonly client: TaskWireClient; readonly tap: IDisposable }>();
  private readonly records: WireRecords;

  constructor(
    private readonly servers: CapturedServers,
    store: Pick<TaskReader, 'all' | 'get' | 'onDidLifecycle'>,
    sink: WireLogSink,
    private readonly options: WireCaptureOptions,
  ) {
    super();
    this.records = this._register(new WireRecords(store, sink));
    this._register(servers.onDidChangeServers(() => this.refresh()));
    this.refresh();
  }

  /** Whether a tap is on the server's connection now. */
  isTapped(serverId: string): boolean {
    return this.taps.has(serverId);
  }

  /** Puts taps on the connections of captured servers and takes them off the others (after a setting changed). */
  refresh(): void {
    const connected = new Map(this.servers.listServers().map((server) => [server.id, server]));
    for (const [serverId, tapped] of this.taps) {
      const server = connected.get(serverId);
      if (server && server.client === tapped.client && this.options.isCaptured(serverId)) continue;
      tapped.tap.dispose();
      this.taps.delete(serverId);
    }
    for (const server of connected.values()) {
      if (this.taps.has(server.id) || !this.options.isCaptured(server.id) || !server.client.tapWire) continue;
      const keep: KeepOptions = {
        secretValues: this.options.secretValuesOf?.(server.id) ?? [],
        maxStringChars: this.options.maxStringChars ?? WIRE_STRING_CHARS,
      };
      const wire = server.client.wire;
      const capture = new ConnectionCapture(wire, keep, (taskId, draft) => this.records.deliver(server.id, wire, taskId, draft));
      this.taps.set(server.id, { client: server.client, tap: server.client.tapWire((observed) => capture.observe(observed)) });
    }
  }

  override dispose(): void {
    for (const tapped of this.taps.values()) tapped.tap.dispose();
    this.taps.clear();
    super.dispose();
  }
}
