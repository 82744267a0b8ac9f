import { z } from 'zod';
import { defineTool } from './toolDefinition';

const MAX_WAIT_MS = 24 * 60 * 60 * 1000;

/** Completes after a while. Useful for demos and for trying out cancel and retry. */
export const waitTool = defineTool({
  name: 'wait',
  title: 'Wait',
  description: 'Waits for the given duration, reporting the time left, then completes. Useful to try out long-running tasks, cancellation and retries.',
  inputSchema: z.object({
    durationMs: z.number().int().min(0).max(MAX_WAIT_MS).describe('How long to wait, in milliseconds.'),
    message: z.string().max(1000).optional().describe('Text to return when done.'),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
  taskSupport: 'optional',
  async run({ durationMs, message }, context) {
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const tick = setInterval(() => {
        const left = Math.max(0, durationMs - (Date.now() - started));
        context.status(`Waiting, ${Math.ceil(left / 1000)} s left`);
      }, 1000);
      const done = setTimeout(finish, durationMs);
      const onAbort = () => {
        finish();
        reject(context.signal.reason);
      };
      function finish() {
        clearInterval(tick);
        clearTimeout(done);
        context.signal.removeEventListener('abort', onAbort);
        resolve();
      }
      if (context.signal.aborted) onAbort();
      else context.signal.addEventListener('abort', onAbort, { once: true });
    });
    const text = message ?? `Waited ${durationMs} ms`;
    return { content: [{ type: 'text', text }], structuredContent: { waitedMs: Date.now() - started } };
  },
});
