import * as vscode from 'vscode';
import { Emitter } from '../../core/events';
import { Disposable } from '../../core/lifecycle';
import type { TaskReader } from '../../core/taskStore';
import type { WireLogStore } from '../../core/wireLogStore';
import type { CapturedServers } from '../../mcp/client/wireCaptureManager';
import { WireCaptureManager } from '../../mcp/client/wireCaptureManager';
import { setting } from '../../platform/config';

const CAPTURE_SETTING = 'tasklane.wire.captureServers';
/** In `tasklane.wire.captureServers`: every server. */
export const ALL_SERVERS = '*';

/**
 * Which servers' messages are captured, as the setting `tasklane.wire.captureServers` says: taps
 * follow the setting at once (wireCaptureManager.ts), and the Servers view's toggle writes it.
 */
export class WireCaptureSettings extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<void>());
  readonly onDidChange = this._onDidChange.event;
  readonly manager: WireCaptureManager;

  constructor(
    servers: CapturedServers,
    store: Pick<TaskReader, 'all' | 'get' | 'onDidLifecycle'>,
    logs: WireLogStore,
    /** Values secret for a server wherever they appear (its password inputs, its token). */
    secretValuesOf: (serverId: string) => readonly string[] = () => [],
  ) {
    super();
    this.manager = this._register(new WireCaptureManager(servers, store, logs, { isCaptured: (id) => this.isCaptured(id), secretValuesOf }));
    this._register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration(CAPTURE_SETTING)) return;
        this.manager.refresh();
        this._onDidChange.fire();
      }),
    );
  }

  isCaptured(serverId: string): boolean {
    const listed = this.listed();
    return listed.includes(ALL_SERVERS) || listed.includes(serverId);
  }

  /** Turns capture on or off for one server, in the settings scope that holds the list (user settings by default). */
  async setCaptured(serverId: string, on: boolean): Promise<void> {
    if (this.isCaptured(serverId) === on) return;
    const config = vscode.workspace.getConfiguration();
    const inspected = config.inspect<unknown[]>(CAPTURE_SETTING);
    const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    let listed = this.listed();
    if (on) listed = [...listed, serverId];
    else if (listed.includes(ALL_SERVERS)) {
      throw new Error(`Capture is on for every server ("${ALL_SERVERS}" in ${CAPTURE_SETTING}): edit the setting to leave one out.`);
    } else listed = listed.filter((id) => id !== serverId);
    await config.update(CAPTURE_SETTING, listed, target);
    this.manager.refresh();
    this._onDidChange.fire();
  }

  private listed(): string[] {
    return (setting(CAPTURE_SETTING) as unknown[]).filter((id): id is string => typeof id === 'string');
  }
}
