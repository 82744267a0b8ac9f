// The suite's side of scripts/host/uiDriver.mjs: asks the offline launcher, which holds the
// workbench page, what the quick input and the notifications show, to photograph them, and to
// type and press keys as a person does. Only the offline launcher serves these requests
// (TASKLANE_RELOAD_PHASE is set by it); tests that need them skip elsewhere.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type WaitOptions, waitFor } from './helpers';

const REQUEST = path.join(os.tmpdir(), 'tasklane-ui-request');
const ANSWER = path.join(os.tmpdir(), 'tasklane-ui-answer');

export interface QuickInputState {
  readonly title: string;
  readonly prompt: string;
  readonly placeholder: string;
  readonly value: string;
  readonly items: readonly { readonly label: string; readonly description: string; readonly active: boolean }[];
}

export interface UiState {
  readonly quickInput: QuickInputState | null;
  readonly notifications: readonly { readonly message: string; readonly actions: readonly string[] }[];
  /** The Tasks view's visible rows as drawn: text and depth (1 for a group). */
  readonly tasksTree: readonly { readonly text: string; readonly level: number }[];
}

export type UiAction = { fill: string } | { press: string } | { click: string; hasText?: string };

export interface UiRequest {
  /** Wait until the quick input's title contains this text (a step of a multi-step prompt). */
  readonly title?: string;
  /** Wait until a notification shows. */
  readonly notification?: boolean;
  readonly screenshot?: { readonly name: string; readonly themeClass?: string };
  readonly actions?: readonly UiAction[];
}

export const canDriveUi = () => !!process.env.TASKLANE_RELOAD_PHASE;

let sequence = 0;

/** Sends one request; resolves with the state before and after its actions. */
export async function ui(request: UiRequest): Promise<{ before: UiState; after: UiState }> {
  const id = `${process.pid}-${++sequence}`;
  fs.rmSync(ANSWER, { force: true });
  const body = {
    id,
    waitFor: { ...(request.title !== undefined ? { title: request.title } : {}), ...(request.notification ? { widget: 'notification' } : {}) },
    screenshot: request.screenshot,
    actions: request.actions,
  };
  fs.writeFileSync(`${REQUEST}.tmp`, JSON.stringify(body));
  fs.renameSync(`${REQUEST}.tmp`, REQUEST);
  const answer = await waitFor(() => readAnswer(id), { what: `the workbench to answer ${JSON.stringify(request)}`, timeoutMs: 90_000 });
  if ('error' in answer) throw new Error(`The workbench could not do ${JSON.stringify(request)}: ${answer.error}`);
  return answer;
}

/** Reads the quick input until `accept` holds (the workbench updates it a moment after typing); a timeout names what it showed last. */
export function quickInputWhen(accept: (state: QuickInputState) => boolean, options: WaitOptions): Promise<QuickInputState> {
  return waitFor(
    async () => {
      const { before } = await ui({});
      if (!before.quickInput || !accept(before.quickInput)) throw new Error(`the quick input shows ${JSON.stringify(before.quickInput)}`);
      return before.quickInput;
    },
    { timeoutMs: 30_000, intervalMs: 0, ...options },
  );
}

function readAnswer(id: string): { before: UiState; after: UiState } | { error: string } | undefined {
  if (!fs.existsSync(ANSWER)) return undefined;
  const answer = JSON.parse(fs.readFileSync(ANSWER, 'utf8')) as { id: string; before: UiState; after: UiState } | { id: string; error: string };
  return answer.id === id ? answer : undefined;
}
