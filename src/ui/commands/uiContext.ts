import type * as vscode from 'vscode';
import type { ServerDirectory } from '../../core/serverDirectory';
import type { TaskActions } from '../../core/taskActions';
import type { TaskReader } from '../../core/taskStore';
import type { WireLogReader } from '../../core/wireLog';
import type { DetailPanels } from '../detail/detailPanel';
import type { TaskTreeNode, TaskTreeProvider } from '../tree/taskTreeProvider';

/** What command handlers work with: they read the store and act through core's ports. */
export interface UiContext {
  readonly store: TaskReader;
  /** Captured wire logs (the export carries them; Copy Wire Log as Script reads them). */
  readonly wireLogs?: WireLogReader;
  readonly actions: TaskActions;
  readonly servers: ServerDirectory;
  readonly tree: TaskTreeProvider;
  readonly treeView: vscode.TreeView<TaskTreeNode>;
  readonly details: DetailPanels;
  readonly log: vscode.LogOutputChannel;
  /** Remembered across windows and reloads: recent shell commands, the last export folder. */
  readonly globalState: vscode.Memento;
  /** Ids of the tasks whose question is open in an answer input right now (for tests). */
  readonly answering: Set<string>;
}
