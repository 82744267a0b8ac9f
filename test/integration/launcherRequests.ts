// What only the browser sees, asked of the offline launcher (serveUiRequest in
// scripts/test-integration.mjs) through files in the extension host's temp dir.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';

/** One open webview's page as the browser rendered it. */
export interface WebviewDom {
  readonly title: string;
  /** `#app`'s data-task-id: which task a detail page shows. */
  readonly taskId: string | null;
  readonly appHtml: string | null;
  readonly appText: string | null;
  /** Every element of the page, with its attributes as [name, value]. */
  readonly elements: { tag: string; attributes: [string, string][] }[];
  readonly scripts: { src: string | null; nonce: string | null; text: string }[];
}

/** The offline launcher answers these requests; the Electron launcher does not. */
export const canAskLauncher = (): boolean => process.env.TASKLANE_UI_REQUESTS === '1';

// The launcher watches the extension host's temp dir (the same one for the whole run).
const REQUEST = path.join(os.tmpdir(), 'tasklane-dom-request');

async function ask<T>(request: { kind: string }, timeoutMs: number): Promise<T> {
  const id = randomUUID();
  const answer = path.join(os.tmpdir(), `tasklane-dom-${id}.json`);
  fs.writeFileSync(`${REQUEST}.tmp`, JSON.stringify({ id, ...request }));
  fs.renameSync(`${REQUEST}.tmp`, REQUEST);
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(answer)) {
    if (Date.now() > deadline) throw new Error(`the launcher did not answer the ${request.kind} request within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const reply = JSON.parse(fs.readFileSync(answer, 'utf8')) as T & { error?: string };
  fs.rmSync(answer, { force: true });
  if (reply.error) throw new Error(`the launcher could not answer the ${request.kind} request: ${reply.error}`);
  return reply;
}

/**
 * The rendered detail page of `taskId`, once `ready` holds for it (the page renders after its
 * handshake, so the first reads may show it empty). Fails after `timeoutMs`.
 */
export async function detailPageDom(taskId: string, ready: (dom: WebviewDom) => boolean, timeoutMs = 30_000): Promise<WebviewDom> {
  const deadline = Date.now() + timeoutMs;
  let last: WebviewDom | undefined;
  for (;;) {
    const { webviews } = await ask<{ webviews: WebviewDom[] }>({ kind: 'webviews' }, Math.max(1000, deadline - Date.now()));
    last = webviews.find((dom) => dom.taskId === taskId) ?? last;
    if (last && ready(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`the detail page of ${taskId} never got ready; last seen: ${last ? (last.appText ?? '').slice(0, 300) : 'no such page'}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
