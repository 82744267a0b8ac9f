import type * as vscode from 'vscode';
import type { TaskStore } from '../../core/taskStore';
import type { TaskService } from '../../mcp/client/taskService';
import type { DetailPanels } from '../detail/detailPanel';
import type { TaskTreeNode, TaskTreeProvider } from '../tree/taskTreeProvider';

/** What the editor may do to any task on its own embedded server, whichever agent started it. */
export interface EmbeddedControls {
  setPriority(taskId: string, priority: number): unknown;
  cancelAny(taskId: string, message?: string): unknown;
}

/** What command handlers work with. */
export interface UiContext {
  readonly store: TaskStore;
  readonly service: TaskService;
  readonly tree: TaskTreeProvider;
  readonly treeView: vscode.TreeView<TaskTreeNode>;
  readonly details: DetailPanels;
  readonly log: vscode.LogOutputChannel;
  /** Remembered across windows and reloads: recent shell commands, the last export folder. */
  readonly globalState: vscode.Memento;
  /** Ids of the tasks whose question is open in an answer input right now (for tests). */
  readonly answering: Set<string>;
  /** A server's name as the views show it (its id when it is not connected). */
  serverName(serverId: string): string;
  /** The embedded server's engine. */
  readonly embedded?: EmbeddedControls;
}
