import * as vscode from 'vscode';
import { type ConfigProblem, formatProblem } from '../../mcp/client/configProblems';

/**
 * What the person is told about the server configuration: its problems (each logged every time, but
 * shown only while new) and servers held back by workspace trust (shown once, or again when asked
 * for). It remembers what it showed so a reload doesn't repeat the same warning.
 */
export class ServerNotices {
  private shownProblems = new Set<string>();
  private toldUntrusted = false;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  reportProblems(problems: ConfigProblem[]): void {
    const text = problems.map(formatProblem);
    for (const line of text) this.log.warn(`[servers] ${line}`);
    const fresh = text.filter((line) => !this.shownProblems.has(line));
    this.shownProblems = new Set(text);
    if (!fresh.length) return;
    const first = problems[text.indexOf(fresh[0])];
    const others = fresh.length > 1 ? ` (and ${fresh.length - 1} more problem${fresh.length > 2 ? 's' : ''}; see the log)` : '';
    const open = first.origin.endsWith('mcp.json') ? 'Open File' : 'Open Settings';
    void vscode.window.showWarningMessage(`Tasklane: ${fresh[0]}${others}. The other servers are not affected.`, open, 'Show Log').then((choice) => {
      if (choice === 'Show Log') this.log.show();
      else if (choice === 'Open File') void vscode.window.showTextDocument(vscode.Uri.file(first.origin));
      else if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettingsJson');
    });
  }

  /** Says the workspace's mcp.json servers wait for trust: once per window, or `always` (the person asked to connect). */
  tellUntrusted(always: boolean): void {
    if (this.toldUntrusted && !always) return;
    this.toldUntrusted = true;
    void vscode.window
      .showWarningMessage(
        "Tasklane did not start the servers in this workspace's .vscode/mcp.json: the workspace is not trusted, and they would run programs it chose. Trust the workspace to start them.",
        'Manage Workspace Trust',
      )
      .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
  }
}
