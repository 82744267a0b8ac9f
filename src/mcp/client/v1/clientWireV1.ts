/**
 * How the client reaches a server on the 2025-11-25 tasks utility: an `initialize` handshake on
 * the SDK 1.x client, over any transport (stdio, in memory) or as a Streamable HTTP session.
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import { type StreamClientWire, type StreamConnection, connectOverStream } from '../clientWire';
import { WIRE_V1 } from '../../wires/v1/codec';
import { TaskClientV1 } from './taskClientV1';

export const clientWireV1: StreamClientWire<typeof WIRE_V1> = {
  wire: WIRE_V1,
  label: 'a 2025-11-25 session',
  listsTasks: true,

  async open(transport: Transport, clientInfo?: Implementation): Promise<StreamConnection> {
    // The SDK tells the transport the version `initialize` settled on; listen in on that.
    let protocolVersion: string | undefined;
    const setVersion = transport.setProtocolVersion?.bind(transport);
    transport.setProtocolVersion = (version: string) => {
      protocolVersion = version;
      setVersion?.(version);
    };
    const client = new TaskClientV1(clientInfo);
    try {
      await client.connect(transport);
    } catch (error) {
      client.dispose();
      throw error;
    }
    return {
      client,
      protocolVersion: protocolVersion ?? client.wire,
      ...(client.serverInfo ? { serverInfo: client.serverInfo } : {}),
      supportsTasks: client.supportsTasks,
    };
  },

  /** A session is this wire's last word: whatever the server offers on it is used. */
  async tryHttp(url, options) {
    const transport = new StreamableHTTPClientTransport(new URL(String(url)), { requestInit: { headers: { ...options.headers } } });
    return { kind: 'connected', connection: await connectOverStream(clientWireV1, transport, options.clientInfo, options.timeoutMs) };
  },
};
