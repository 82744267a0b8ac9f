// The task detail webview: validates every message from the host, renders with DOM APIs only, and
// keeps its task id (plus folds and scroll) in the webview state so VS Code can restore the panel.
import * as z from 'zod';
import { HostToWebviewSchema, PersistedStateSchema, assertNever, type HostToWebview, type WebviewToHost } from '../src/ui/detail/protocol';
import { Folds } from './detailDom';
import { DetailPage } from './detailPage';

interface VsCodeApi<State> {
  postMessage(message: WebviewToHost): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

/** What this page saves; the host's serializer reads only `taskId`. */
const SavedStateSchema = PersistedStateSchema.extend({
  open: z.record(z.string(), z.boolean()).default({}),
  scrollY: z.number().nonnegative().default(0),
});
type SavedState = z.infer<typeof SavedStateSchema>;

/** Saved fold overrides are capped so the state stays small. */
const MAX_SAVED_FOLDS = 500;

const vscode = acquireVsCodeApi<SavedState>();
const root = document.getElementById('app');

if (root) start(root);

function start(app: HTMLElement): void {
  const saved = SavedStateSchema.safeParse(vscode.getState());
  // A preview panel changes task without reloading the page: the saved id is newer than the one
  // the page was first loaded with. (The host sends the whole state after `ready` either way.)
  let taskId = (saved.success ? saved.data.taskId : undefined) ?? app.dataset.taskId ?? '';
  const restore = saved.success ? saved.data : undefined;
  const overrides = new Map(Object.entries(restore?.open ?? {}));
  let scrollY = restore?.scrollY ?? 0;
  let preview = restore?.preview;

  const save = () => {
    const open = Object.fromEntries([...overrides].slice(-MAX_SAVED_FOLDS));
    if (taskId) vscode.setState({ taskId, open, scrollY, ...(preview === undefined ? {} : { preview }) });
  };
  save();

  const page = new DetailPage(app, (message) => vscode.postMessage(message), new Folds(overrides, save));
  let restoredScroll = false;

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const parsed = HostToWebviewSchema.safeParse(event.data);
    // Anything that is not our protocol is ignored: the page shows data it does not trust.
    if (!parsed.success) {
      console.warn(
        '[tasklane] ignored an invalid message:',
        parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      );
      return;
    }
    const message = parsed.data;
    if (message.type === 'state' && message.state.id !== taskId) {
      // The preview panel now shows another task: its folds and scroll start afresh.
      taskId = message.state.id;
      overrides.clear();
      scrollY = 0;
      restoredScroll = false;
      save();
    }
    handle(message);
    if (message.type === 'state' && !restoredScroll) {
      restoredScroll = true;
      window.scrollTo(0, scrollY);
    }
  });

  let scrollTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('scroll', () => {
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(() => {
      scrollY = window.scrollY;
      save();
    }, 200);
  });

  setInterval(() => page.tick(Date.now()), 1000);
  vscode.postMessage({ type: 'ready' });

  function handle(message: HostToWebview): void {
    switch (message.type) {
      case 'state':
        page.show(message.state);
        return;
      case 'patch':
        page.patch(message.patch);
        return;
      case 'output':
        page.appendOutput(message.chunk);
        return;
      case 'gone':
        page.markGone();
        return;
      case 'wire':
        page.showWire(message.wire);
        return;
      case 'wireEntries':
        page.patchWire(message.patch);
        return;
      case 'panel':
        preview = message.preview;
        page.setPreview(message.preview);
        save();
        return;
      default:
        assertNever(message);
    }
  }
}
