import * as vscode from 'vscode';

/**
 * Registers command handlers by id. A handler's failure is logged with its stack and told to the
 * person in plain words, with a way to the log.
 */
export function registerHandlers(handlers: Record<string, (...args: unknown[]) => unknown>, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.error(`[command] ${id} failed`, error);
        void vscode.window.showErrorMessage(`Tasklane: ${message}`, 'Show Log').then((choice) => choice && log.show());
        return undefined;
      }
    }),
  );
}
