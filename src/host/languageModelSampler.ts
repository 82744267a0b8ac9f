import * as vscode from 'vscode';
import type { CreateMessageRequest, CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { TaskRecord } from '../core/taskRecord';
import { SamplingDeclinedError } from '../mcp/client/taskWire';
import { shorten, taskLabel } from '../core/taskTitle';

export interface SamplingConsentRequest {
  readonly serverName: string;
  readonly task?: TaskRecord;
  readonly excerpt: string;
}

/**
 * Answers servers' sampling requests with VS Code's language-model API, and only with the user's
 * consent, asked each time. Without consent or without a model the server is told why.
 */
export class LanguageModelSampler {
  /** Asks the user; replaceable so tests can answer without a dialog. */
  consent: (request: SamplingConsentRequest) => Promise<boolean> = async ({ serverName, task, excerpt }) => {
    const choice = await vscode.window.showWarningMessage(
      `${serverName} asks to use a language model${task ? ` for “${taskLabel(task)}”` : ''}.`,
      { modal: true, detail: `It sends: “${excerpt}”\n\nThe model's answer goes back to the server.` },
      'Allow Once',
    );
    return choice === 'Allow Once';
  };

  constructor(private readonly log: vscode.LogOutputChannel) {}

  readonly handle = async (request: { serverName: string; task?: TaskRecord; params: CreateMessageRequest['params'] }): Promise<CreateMessageResult> => {
    const messages = request.params.messages.map((message) => ({ role: message.role, text: textOf(message.content) }));
    const excerpt = shorten(messages.map((m) => m.text).join(' '), 300);
    if (!(await this.consent({ serverName: request.serverName, task: request.task, excerpt }))) throw new SamplingDeclinedError('the user did not allow it');
    const [model] = await vscode.lm.selectChatModels();
    if (!model) throw new SamplingDeclinedError('no language model is available in this editor');
    const chat = [
      ...(request.params.systemPrompt ? [vscode.LanguageModelChatMessage.User(request.params.systemPrompt)] : []),
      ...messages.map((m) => (m.role === 'assistant' ? vscode.LanguageModelChatMessage.Assistant(m.text) : vscode.LanguageModelChatMessage.User(m.text))),
    ];
    const source = new vscode.CancellationTokenSource();
    try {
      const response = await model.sendRequest(chat, { justification: `${request.serverName} asked for it through Tasklane` }, source.token);
      let text = '';
      for await (const chunk of response.text) text += chunk;
      this.log.info(`[sampling] ${model.name} answered ${request.serverName} (${text.length} characters)`);
      return { role: 'assistant', content: { type: 'text', text }, model: model.id, stopReason: 'endTurn' };
    } catch (error) {
      throw new SamplingDeclinedError(error instanceof vscode.LanguageModelError ? `the language model refused: ${error.message}` : (error as Error).message);
    } finally {
      source.dispose();
    }
  };
}

function textOf(content: unknown): string {
  const parts = Array.isArray(content) ? content : [content];
  return parts
    .map((part) =>
      part && typeof part === 'object' && (part as { type?: unknown }).type === 'text' ? String((part as { text?: unknown }).text ?? '') : '[non-text content]',
    )
    .join('\n');
}
