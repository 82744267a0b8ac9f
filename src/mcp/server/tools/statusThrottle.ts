const STATUS_INTERVAL_MS = 100;
/** A status line is one line in a tree item; longer text only gets cut off there. */
export const MAX_STATUS_LENGTH = 200;

/** At most one status per interval, and the latest line is always sent in the end. */
export class StatusThrottle {
  private pending: string | undefined;
  private lastSent: string | undefined;
  private lastSentAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (line: string) => void) {}

  offer(line: string): void {
    this.pending = line;
    if (this.timer) return;
    const wait = this.lastSentAt + STATUS_INTERVAL_MS - performance.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const line = this.pending;
    this.pending = undefined;
    if (line === undefined || line === this.lastSent) return;
    this.lastSent = line;
    this.lastSentAt = performance.now();
    this.send(line);
  }
}
