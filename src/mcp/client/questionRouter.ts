import { randomUUID } from 'node:crypto';
import type { CreateMessageRequest, CreateMessageResult, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { type Logger, silentLogger } from '../../core/logger';
import type { InputAnswer } from '../../core/taskActions';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskStore } from '../../core/taskStore';
import { isTerminal } from '../../core/taskStatus';
import type { RemoteInputRequest } from '../wires/remoteTask';
import { SamplingDeclinedError } from './taskWire';
import type { InputRequestEvent, SamplingRequestEvent } from './taskWire';

/** What the host is asked when a server wants a language model; throw `SamplingDeclinedError` to say no. */
export type SamplingHandler = (request: {
  serverId: string;
  serverName: string;
  task?: TaskRecord;
  params: CreateMessageRequest['params'];
}) => Promise<CreateMessageResult>;

/** Where the router finds the task a server's request belongs to. */
export interface TaskLocator {
  /** The record that follows a server's task. */
  recordOf(serverId: string, taskId: string): string | undefined;
  /** Records whose plain call (no task yet) is in flight. */
  readonly callsInFlight: { has(id: string): boolean; keys(): Iterable<string> };
}

export interface QuestionRouterOptions {
  /** Answers servers' requests to use a language model (the extension asks the user, then calls VS Code's LM API). */
  readonly samplingHandler?: SamplingHandler;
  readonly log?: Logger;
}

interface OpenQuestion {
  readonly resolve: (answer: ElicitResult) => void;
  /** Answered through the wire's `answer` (a key of the task's `inputRequests`), not a pending request. */
  readonly remote?: boolean;
}

/**
 * Servers ask while tasks run: questions for the user (elicitation, as a request or inside a task's
 * snapshot) and requests to use a language model. Each is routed to the record it belongs to, shown
 * there as pending input or a status message, and answered once, from wherever the user answers.
 */
export class QuestionRouter {
  private readonly questions = new Map<string, OpenQuestion>();
  private readonly samplingHandler: SamplingHandler | undefined;
  private readonly log: Logger;

  constructor(
    private readonly store: TaskStore,
    private readonly locator: TaskLocator,
    options: QuestionRouterOptions = {},
  ) {
    this.samplingHandler = options.samplingHandler;
    this.log = options.log ?? silentLogger;
  }

  answer(id: string, key: string, answer: InputAnswer): void {
    const question = this.questions.get(questionKey(id, key));
    if (!question) throw new Error('That question is no longer open (it was answered, or the task moved on).');
    this.questions.delete(questionKey(id, key));
    if (this.store.get(id)) this.store.removePendingInput(id, key);
    question.resolve(answer as ElicitResult);
    // A call still in flight (no task yet: MRTR rounds, or a synchronous call that asked) goes on once nothing else is asked.
    const record = this.store.get(id);
    if (record && !record.taskId && record.status === 'input_required' && record.pendingInput.length === 0)
      this.store.setStatus(id, 'working', 'Continuing with your answer');
  }

  /** Asks one of a task's own `inputRequests`; `send` delivers the answer through the wire. */
  askRemote(id: string, request: RemoteInputRequest & { readonly key: string }, send: (answer: ElicitResult) => void): void {
    this.questions.set(questionKey(id, request.key), { remote: true, resolve: send });
    this.store.addPendingInput(id, { key: request.key, method: request.method, params: request.params, at: new Date().toISOString() });
  }

  /** The task no longer asks this: it cannot be answered any more. */
  withdraw(id: string, key: string): void {
    this.questions.delete(questionKey(id, key));
    if (this.store.get(id)?.pendingInput.some((p) => p.key === key)) this.store.removePendingInput(id, key);
  }

  /** The task ended: a pending request gets an answer; a task's own question simply lapses with the task. */
  lapse(id: string): void {
    for (const key of [...this.questions.keys()]) {
      if (key.startsWith(`${id}\0`)) {
        const question = this.questions.get(key);
        this.questions.delete(key);
        if (!question?.remote) question?.resolve({ action: 'cancel' });
      }
    }
  }

  onInputRequest(serverId: string, request: InputRequestEvent): Promise<ElicitResult> {
    const id = this.taskOf(serverId, request.taskId, request.ref);
    if (!id || !this.store.get(id)) {
      this.log.warn(`[input] declined a question from ${serverId} that belongs to no known task`);
      return Promise.resolve({ action: 'decline' });
    }
    const key = randomUUID();
    return new Promise<ElicitResult>((resolve) => {
      this.questions.set(questionKey(id, key), { resolve });
      this.store.addPendingInput(id, { key, method: request.method, params: request.params as Record<string, unknown>, at: new Date().toISOString() });
      const record = this.store.require(id);
      if (record.status === 'working') this.store.setStatus(id, 'input_required', 'Waiting for your answer');
    });
  }

  /**
   * A server asks to use a language model. Only the host's `samplingHandler` can say yes (it asks
   * the user); without one, or when it declines, the server gets the reason. The task's timeline
   * records what happened either way.
   */
  async onSamplingRequest(server: { readonly id: string; readonly name: string }, request: SamplingRequestEvent): Promise<CreateMessageResult> {
    const id = this.taskOf(server.id, request.taskId, request.ref);
    const task = id ? this.store.get(id) : undefined;
    const note = (message: string) => {
      const record = id ? this.store.get(id) : undefined;
      if (record && !isTerminal(record.status)) this.store.setStatus(record.id, record.status, message);
    };
    if (!this.samplingHandler) {
      note(`Declined ${server.name}'s request to use a language model: this host offers none`);
      throw new SamplingDeclinedError('this Tasklane host offers no language model');
    }
    note(`${server.name} asks to use a language model`);
    try {
      const result = await this.samplingHandler({ serverId: server.id, serverName: server.name, task, params: request.params });
      note('The language model answered');
      return result;
    } catch (error) {
      note(`Declined ${server.name}'s request to use a language model: ${(error as Error).message}`);
      this.log.info(`[sampling] declined a request from ${server.name}: ${(error as Error).message}`);
      throw error instanceof SamplingDeclinedError ? error : new SamplingDeclinedError((error as Error).message);
    }
  }

  /** The record a server's request belongs to: its related task, or the one plain call in flight. */
  private taskOf(serverId: string, taskId: string | undefined, ref?: string): string | undefined {
    if (taskId) return this.locator.recordOf(serverId, taskId);
    if (ref !== undefined && this.locator.callsInFlight.has(ref)) return ref;
    const candidates = [...this.locator.callsInFlight.keys()].filter((id) => this.store.get(id)?.serverId === serverId && !this.store.get(id)?.taskId);
    return candidates.length === 1 ? candidates[0] : undefined;
  }
}

function questionKey(id: string, key: string): string {
  return `${id}\0${key}`;
}
