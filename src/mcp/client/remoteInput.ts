/**
 * A task's own `inputRequests` (wires that carry what a task asks in its snapshot: the extension),
 * answered through the wire's `answer` (`tasks/update`). Questions go to the user like any other
 * elicitation; sampling requests go to the host's sampling handler like any other sampling request
 * (it asks the user): a task is not a more trusted channel (T-C-12).
 */
import type { CreateMessageRequest } from '@modelcontextprotocol/sdk/types.js';
import { type Logger, silentLogger } from '../../core/logger';
import type { JsonRpcErrorObject } from '../../core/taskRecord';
import type { TaskStore } from '../../core/taskStore';
import { isTerminal } from '../../core/taskStatus';
import type { RemoteTaskState } from '../wires/remoteTask';
import type { QuestionRouter } from './questionRouter';
import { SamplingDeclinedError, type TaskInputResponse, type TaskWireClient, samplingDeclinedError } from './taskWire';

/** The keys of one task's `inputRequests` this host has seen. */
export interface AskedKeys {
  /** Shown to the user, or put to the sampling handler, and not answered yet. */
  readonly asked: Set<string>;
  /** Already answered (or never to be): not asked again, whatever a later poll says (T-CS-12). */
  readonly answered: Set<string>;
}

export interface RemoteInputOptions {
  readonly clientOf: (serverId: string) => TaskWireClient | undefined;
  /** Ends a task whose request the host declined, with the decline as its error. */
  readonly fail: (id: string, error: JsonRpcErrorObject, message: string) => void;
  readonly log?: Logger;
}

export class RemoteInput {
  private readonly clientOf: (serverId: string) => TaskWireClient | undefined;
  private readonly fail: RemoteInputOptions['fail'];
  private readonly log: Logger;

  constructor(
    private readonly store: TaskStore,
    private readonly questions: QuestionRouter,
    options: RemoteInputOptions,
  ) {
    this.clientOf = options.clientOf;
    this.fail = options.fail;
    this.log = options.log ?? silentLogger;
  }

  /**
   * Mirrors a snapshot's `inputRequests`: a new key is asked (a question for the user, or a
   * sampling request for the host); a key seen before or already answered is not asked again
   * (T-CS-12); a key the task no longer lists is withdrawn, so only outstanding keys can be
   * answered (T-C-13).
   */
  sync(id: string, keys: AskedKeys, state: RemoteTaskState): void {
    const outstanding = state.status === 'input_required' ? (state.inputRequests ?? {}) : {};
    for (const key of [...keys.asked]) {
      if (key in outstanding) continue;
      keys.asked.delete(key);
      this.questions.withdraw(id, key);
    }
    for (const [key, request] of Object.entries(outstanding)) {
      if (keys.asked.has(key) || keys.answered.has(key)) continue;
      if (request.method === 'sampling/createMessage') {
        keys.asked.add(key);
        void this.sample(id, keys, key, request.params as CreateMessageRequest['params']);
        continue;
      }
      if (request.method !== 'elicitation/create') {
        // We declare elicitation and sampling only; a server that asks for more gets no answer from us.
        keys.answered.add(key);
        this.log.warn(`[input] ${id}: the server asks ${request.method} (key ${key}), which Tasklane does not answer`);
        const record = this.store.get(id);
        if (record && !isTerminal(record.status))
          this.store.setStatus(
            id,
            record.status,
            `The server asks for ${request.method}, which Tasklane did not offer on this connection; cancel the task if it stays stuck`,
          );
        continue;
      }
      keys.asked.add(key);
      this.questions.askRemote(id, { key, method: request.method, params: request.params }, (answer) => this.send(id, keys, key, answer));
    }
  }

  /**
   * Puts one of the task's sampling requests to the host's sampling handler, the same one the
   * 2025-11-25 wire uses, so the same consent applies. The wire cannot carry a refusal back, so a
   * declined request ends the task as on the old wire, where the server fails the call: the task is
   * cancelled on the server and fails here with the reason.
   */
  private async sample(id: string, keys: AskedKeys, key: string, params: CreateMessageRequest['params']): Promise<void> {
    const record = this.store.get(id);
    const client = record && this.clientOf(record.serverId);
    if (!record?.taskId || !client) return;
    const taskId = record.taskId;
    try {
      if (!client.samplingHandler) throw new SamplingDeclinedError('this Tasklane host offers no language model');
      const result = await client.samplingHandler({ taskId, params });
      if (!this.stillOpen(id)) return;
      if (!keys.asked.has(key)) {
        this.log.info(`[input] ${id}: the task no longer asks ${key}; the language model's answer is dropped`);
        return;
      }
      this.send(id, keys, key, result);
    } catch (error) {
      if (!this.stillOpen(id) || !keys.asked.has(key)) return;
      keys.asked.delete(key);
      keys.answered.add(key);
      const declined = samplingDeclinedError(error instanceof SamplingDeclinedError ? error : new SamplingDeclinedError((error as Error).message));
      client.cancel(taskId).catch((cancelError: Error) => this.log.warn(`[input] ${id}: could not cancel the task: ${cancelError.message}`));
      this.fail(id, declined, declined.message);
    }
  }

  private stillOpen(id: string): boolean {
    const record = this.store.get(id);
    return record !== undefined && !isTerminal(record.status);
  }

  /** Sends one answer with the wire's `answer` (`tasks/update` on the extension). A failed send makes the key askable again. */
  private send(id: string, keys: AskedKeys, key: string, answer: TaskInputResponse): void {
    const record = this.store.get(id);
    const client = record && this.clientOf(record.serverId);
    if (!record?.taskId || !client?.answer) return;
    keys.asked.delete(key);
    keys.answered.add(key);
    client.answer(record.taskId, key, answer).then(
      () => this.log.info(`[input] ${id}: answered ${key}${'action' in answer ? ` (${answer.action})` : ''}`),
      (error: Error) => {
        keys.answered.delete(key);
        this.log.warn(`[input] ${id}: could not send the answer to ${key}: ${error.message}`);
        const now = this.store.get(id);
        if (now && !isTerminal(now.status)) this.store.setStatus(id, now.status, `Could not send your answer: ${error.message}`);
      },
    );
  }
}
