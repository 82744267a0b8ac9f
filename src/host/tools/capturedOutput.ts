import type { ToolContext } from '../../mcp/server/tools/toolDefinition';
import { MAX_STATUS_LENGTH, StatusThrottle } from '../../mcp/server/tools/statusThrottle';

/**
 * A captured task's output: streamed into the MCP task as it comes, its last non-empty line
 * offered as the task's status, and its last `limit` characters kept for the result, so a chatty
 * task cannot exhaust the host's memory.
 */
export class CapturedOutput {
  private readonly status: StatusThrottle;
  private partialLine = '';
  private chunks: string[] = [];
  private length = 0;
  truncated = false;

  constructor(
    private readonly context: ToolContext,
    private readonly limit: number,
  ) {
    this.status = new StatusThrottle((line) => context.status(line));
  }

  add(text: string): void {
    this.context.output(text);
    this.offerLastLine(text);
    this.chunks.push(text);
    this.length += text.length;
    if (this.length > this.limit * 2) this.compact();
  }

  text(): string {
    this.compact();
    return this.chunks.join('');
  }

  /** Sends the latest line now, before the task's final status replaces it. */
  flushStatus(): void {
    this.status.flush();
  }

  private offerLastLine(text: string): void {
    const lines = (this.partialLine + text).split(/\r\n|\r|\n/);
    this.partialLine = lines[lines.length - 1].slice(-MAX_STATUS_LENGTH);
    const line = lines.reverse().find((candidate) => candidate.trim() !== '');
    if (line !== undefined) this.status.offer(line.trim().slice(0, MAX_STATUS_LENGTH));
  }

  private compact(): void {
    const joined = this.chunks.join('');
    const kept = joined.length > this.limit ? joined.slice(joined.length - this.limit) : joined;
    if (kept.length < joined.length) this.truncated = true;
    this.chunks = [kept];
    this.length = kept.length;
  }
}
