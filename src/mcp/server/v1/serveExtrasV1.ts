/**
 * The server extras (serverExtras.ts) on a 2025-11-25 session: each handler is registered with
 * the SDK's own request schema for its method, so the SDK checks the params as it does for tools.
 * The capabilities must already be declared when the SDK `Server` is built (it refuses handlers
 * for capabilities it does not have, and answers `logging/setLevel` itself when `logging` is on).
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { ExtraMethod, ServerExtras } from '../serverExtras';

const SDK_SCHEMAS = {
  'prompts/list': ListPromptsRequestSchema,
  'prompts/get': GetPromptRequestSchema,
  'resources/list': ListResourcesRequestSchema,
  'resources/templates/list': ListResourceTemplatesRequestSchema,
  'resources/read': ReadResourceRequestSchema,
  'resources/subscribe': SubscribeRequestSchema,
  'resources/unsubscribe': UnsubscribeRequestSchema,
  'completion/complete': CompleteRequestSchema,
} as const satisfies Record<ExtraMethod, unknown>;

/** Registers every handler of `extras` on `server`; `ownerOf` names the principal of a request. */
export function serveExtrasV1(server: Server, extras: ServerExtras | undefined, ownerOf: (extra: unknown) => string): void {
  for (const [method, handler] of Object.entries(extras?.handlers ?? {})) {
    if (!handler) continue;
    // One schema per method: the handler's result is the method's result, which the SDK sends as is.
    server.setRequestHandler(
      SDK_SCHEMAS[method as ExtraMethod] as typeof ListPromptsRequestSchema,
      async (request, extra) =>
        (await handler((request.params ?? {}) as Record<string, unknown>, {
          owner: ownerOf(extra),
          capabilities: server.getClientCapabilities() ?? {},
        })) as never,
    );
  }
}
