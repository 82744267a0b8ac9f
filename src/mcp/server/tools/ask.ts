import { z } from 'zod';
import { defineTool } from './toolDefinition';

/**
 * Asks the person at the other end a question and returns the answer. Always a task: an answer
 * may take hours, and a task keeps the question visible (`input_required`) until then.
 */
export const askTool = defineTool({
  name: 'ask',
  title: 'Ask the user',
  description: 'Asks the user a question (the task waits in input_required until answered) and returns the answer, or says the user declined.',
  inputSchema: z.object({
    question: z.string().min(1).max(4000).describe('The question to show the user.'),
    choices: z.array(z.string().min(1)).max(50).optional().describe('If given, the user picks one of these.'),
  }),
  annotations: { readOnlyHint: true, idempotentHint: false, destructiveHint: false, openWorldHint: false },
  taskSupport: 'required',
  alwaysElicits: true,
  async run({ question, choices }, context) {
    const answerSchema = choices?.length
      ? { type: 'string' as const, title: 'Answer', enum: choices }
      : { type: 'string' as const, title: 'Answer', description: question };
    context.status('Waiting for an answer');
    const reply = await context.elicit({
      mode: 'form',
      message: question,
      requestedSchema: { type: 'object', properties: { answer: answerSchema }, required: ['answer'] },
    });
    if (reply.action !== 'accept') {
      return { content: [{ type: 'text', text: `The user chose to ${reply.action} the question.` }], structuredContent: { action: reply.action } };
    }
    const answer = String(reply.content?.answer ?? '');
    return { content: [{ type: 'text', text: answer }], structuredContent: { action: 'accept', answer } };
  },
});
