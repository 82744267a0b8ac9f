/**
 * The engine of a server with a team database: the same engine, with the calls a principal makes
 * on a task's behalf recorded in the audit table (creation is recorded from `onDidCreate`), and
 * answers to another instance's work forwarded to that instance (teamSync.ts).
 */
import { isTerminal } from '../../core/taskStatus';
import type { EngineTask } from '../engine/engineTask';
import { type EngineOptions, TaskEngine } from '../engine/taskEngine';
import { TaskNotFoundError } from '../engine/engineErrors';
import type { AuditEntry } from './durableTasks';
import type { ForwardedAnswer } from './teamSync';

export class AuditedTaskEngine extends TaskEngine {
  /** Finished tasks whose outcome a principal has read, so polling a finished task is recorded once per server run. */
  private readonly outcomesRead = new Set<string>();

  constructor(
    options: EngineOptions,
    private readonly record: (entry: AuditEntry) => void,
    /** Sends an answer on to the instance whose work asked. */
    private readonly forward: (answer: ForwardedAnswer) => void,
  ) {
    super(options);
  }

  override cancel(owner: string, taskId: string, message?: string): EngineTask {
    const task = super.cancel(owner, taskId, message);
    this.record({ principal: owner, action: 'cancel', taskId });
    return task;
  }

  override answerInput(owner: string, taskId: string, key: string, response: unknown): boolean {
    const answered = this.shared.runsElsewhere(taskId)
      ? this.answerElsewhere({ owner, taskId, key, response })
      : super.answerInput(owner, taskId, key, response);
    if (answered) this.record({ principal: owner, action: 'answer', taskId, detail: { key } });
    return answered;
  }

  /** An answer given through another instance, reaching this one, whose work asked (recorded where it was given). */
  answerForwarded(answer: ForwardedAnswer): boolean {
    return super.answerInput(answer.owner, answer.taskId, answer.key, answer.response);
  }

  /** The question is open as far as this instance knows: the answer goes to the instance that asked. */
  private answerElsewhere(answer: ForwardedAnswer): boolean {
    const task = this.peekOwned(answer.owner, answer.taskId);
    if (!task) throw new TaskNotFoundError(answer.taskId);
    if (task.status !== 'input_required' || !task.inputRequests.has(answer.key)) return false;
    this.forward(answer);
    return true;
  }

  /** A read of a finished task (2026-07-28 `tasks/get` inlines its outcome) is a read of its result. */
  override get(owner: string, taskId: string): EngineTask {
    return this.readOutcome(owner, super.get(owner, taskId));
  }

  /** What 2025-11-25 `tasks/result` waits on. */
  override async waitForTerminal(owner: string, taskId: string, signal?: AbortSignal): Promise<EngineTask> {
    return this.readOutcome(owner, await super.waitForTerminal(owner, taskId, signal));
  }

  private readOutcome(owner: string, task: EngineTask): EngineTask {
    const key = `${owner}\n${task.taskId}`;
    if (isTerminal(task.status) && !this.outcomesRead.has(key)) {
      this.outcomesRead.add(key);
      this.record({ principal: owner, action: 'result', taskId: task.taskId });
    }
    return task;
  }
}
