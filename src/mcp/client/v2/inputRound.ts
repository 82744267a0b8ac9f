/**
 * One multi-round-trip (MRTR) round of a `tools/call` on the extension wire, as the client answers
 * it: each of the server's `inputRequests` is put to the host like any standalone request (T-C-12),
 * a question to its `inputHandler`, a sampling request to its `samplingHandler` (which asks the
 * user). We declared nothing else.
 */
import { CreateMessageResultSchema, ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { InputRequestsSchema, InvalidResponseError } from '../../wires/v2/codec';
import { type InputRequestEvent, SamplingDeclinedError, type SamplingRequestEvent, type TaskWireClient } from '../taskWire';

/** The host's handlers, as the client holds them. */
export type InputHandlers = Pick<TaskWireClient, 'inputHandler' | 'samplingHandler'>;

/**
 * The answers to one `input_required` result's `inputRequests`, by key. A declined sampling request
 * throws `SamplingDeclinedError`; a request we did not declare, or a round that asks nothing, is
 * an invalid response.
 */
export async function answerInputRound(inputRequests: unknown, host: InputHandlers, ref: string | undefined): Promise<Record<string, unknown>> {
  const parsed = InputRequestsSchema.safeParse(inputRequests);
  if (!parsed.success || Object.keys(parsed.data).length === 0)
    throw new InvalidResponseError('An input_required result must carry a non-empty inputRequests object');
  const answers: Record<string, unknown> = {};
  const origin = ref !== undefined ? { ref } : {};
  for (const [key, request] of Object.entries(parsed.data)) {
    const params = request.params ?? {};
    if (request.method === 'sampling/createMessage') {
      if (!host.samplingHandler) throw new SamplingDeclinedError('this Tasklane host offers no language model');
      answers[key] = CreateMessageResultSchema.parse(await host.samplingHandler({ params: params as SamplingRequestEvent['params'], ...origin }));
    } else if (request.method === 'elicitation/create') {
      answers[key] = host.inputHandler
        ? ElicitResultSchema.parse(await host.inputHandler({ method: 'elicitation/create', params: params as InputRequestEvent['params'], ...origin }))
        : { action: 'decline' };
    } else {
      throw new InvalidResponseError(`The server asked for ${request.method}, which this client did not declare`);
    }
  }
  return answers;
}
