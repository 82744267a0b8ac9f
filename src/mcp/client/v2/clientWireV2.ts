/**
 * How the client reaches a server on the `io.modelcontextprotocol/tasks` extension: ask
 * `server/discover` in the stateless 2026-07-28 framing, and use the extension when the answer
 * declares it. Over HTTP only: the stateless framing over stdio is out of scope for now.
 */
import type { ClientWire, NegotiatedConnection } from '../clientWire';
import { RpcError } from '../../rpcError';
import { InvalidResponseError, WIRE_V2 } from '../../wires/v2/codec';
import { HttpStatusError } from './statelessHttpTransport';
import { TaskClientV2 } from './taskClientV2';

export const clientWireV2: ClientWire<typeof WIRE_V2> = {
  wire: WIRE_V2,
  label: 'the extension wire (2026-07-28)',
  listsTasks: false,

  async tryHttp(url, options) {
    const { log } = options;
    const client = new TaskClientV2({
      url,
      headers: options.headers,
      clientInfo: options.clientInfo,
      notifications: options.notifications,
      requestTimeoutMs: options.timeoutMs,
      log,
    });
    try {
      await client.discover();
    } catch (error) {
      client.dispose();
      if (!isLegacySignal(error)) throw error;
      return { kind: 'declined', why: `server/discover was refused (${(error as Error).message})` };
    }
    const connection = connectionOf(client);
    if (!client.supportsTasks) return { kind: 'withoutTasks', connection, why: `server/discover answered but does not declare ${client.wire}` };
    log.info(`[connect] ${String(url)}: server/discover declares ${client.wire}; using the extension wire (2026-07-28)`);
    return { kind: 'connected', connection };
  },
};

function connectionOf(client: TaskClientV2): NegotiatedConnection {
  return {
    client,
    wire: client.wire,
    protocolVersion: client.protocolVersion,
    ...(client.serverInfo ? { serverInfo: client.serverInfo } : {}),
    supportsTasks: client.supportsTasks,
    close: async () => client.dispose(),
  };
}

/**
 * Whether a failed `server/discover` means "this server predates 2026-07-28" (try an older wire)
 * rather than "the server is unreachable or refuses us" (fail): a JSON-RPC error (no such method,
 * no session, unsupported version), an HTTP 400/404/405/406/415 without one, or an answer that is
 * not JSON-RPC at all.
 */
function isLegacySignal(error: unknown): boolean {
  if (error instanceof RpcError) return true;
  if (error instanceof HttpStatusError) return [400, 404, 405, 406, 415].includes(error.status);
  return error instanceof InvalidResponseError;
}
