/**
 * A tool running as a task on the extension wire may ask the client's language model (sampling)
 * through the task's `inputRequests`, answered with `tasks/update`, like its questions. Only when
 * the request that created the task declared sampling: otherwise -32021, as for an MRTR round
 * (`mrtr.ts`).
 */
import { CreateMessageResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { RunContext } from '../../engine/engineTask';
import { type ClientCapabilities, missingCapability } from '../../wires/v2/protocol';
import type { ToolContext } from '../tools/toolDefinition';

export function taskSamplingV2(context: RunContext, capabilities: ClientCapabilities): NonNullable<ToolContext['sample']> {
  return async (params) => {
    if (!capabilities.sampling)
      throw missingCapability(
        { sampling: {} },
        "the task needs the client's language model (sampling), and the request that created it did not declare sampling",
      );
    return CreateMessageResultSchema.parse(await context.requestInput({ method: 'sampling/createMessage', params: params as Record<string, unknown> }));
  };
}
