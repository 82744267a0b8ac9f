/**
 * How the server speaks the `io.modelcontextprotocol/tasks` extension: stateless 2026-07-28
 * requests on the HTTP endpoint, each naming its protocol version (header or `_meta`) and no
 * session, all answered by one `TaskServerV2`.
 */
import type { HttpServerWire, HttpWireEndpoint } from '../serverWire';
import { WIRE_V2 } from '../../wires/v2/codec';
import { handleStatelessPost, isStatelessHeader, isStatelessRequest, rejectStatelessBodiless } from './statelessHttp';
import { TaskServerV2 } from './taskServerV2';
import { claimedTaskStartOptions } from './toolCallsV2';

export const serverWireV2: HttpServerWire = {
  wire: WIRE_V2,
  mount({ host, engine, log, instructions }): HttpWireEndpoint {
    const stateless = new TaskServerV2(host, engine, { instructions, connection: 'http stateless' });
    let seen = false;
    return {
      serve({ req, res, sessionId, body, principal }) {
        if (sessionId) return undefined;
        if (req.method === 'POST') {
          if (!isStatelessRequest(req.headers, body)) return undefined;
          if (!seen) {
            seen = true;
            log.info(`[http] serving a 2026-07-28 client (${stateless.wire} extension, stateless)`);
          }
          return handleStatelessPost(stateless, req, res, body, { principal, log });
        }
        if (!isStatelessHeader(req.headers)) return undefined;
        rejectStatelessBodiless(res);
        return Promise.resolve();
      },
      close: async () => stateless.dispose(),
    };
  },
  // Stateless: a task's questions reach its asker through any instance, so any instance may run it.
  claimedStartOptions: claimedTaskStartOptions,
};
