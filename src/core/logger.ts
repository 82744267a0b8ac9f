/** Where diagnostics go. The extension passes its `LogOutputChannel`, whose methods match. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Logs to stderr with a level prefix: for the standalone server, where stdout may be the protocol. */
export function stderrLogger(minimum: 'trace' | 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const levels = ['trace', 'debug', 'info', 'warn', 'error'] as const;
  const at =
    (level: (typeof levels)[number]) =>
    (message: string | Error, ...args: unknown[]) => {
      if (levels.indexOf(level) < levels.indexOf(minimum)) return;
      const text = message instanceof Error ? (message.stack ?? message.message) : message;
      process.stderr.write(`[${level}] ${text}${args.length ? ' ' + args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : ''}\n`);
    };
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
