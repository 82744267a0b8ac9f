// What only the browser sees, asked of the offline launcher (serveUiRequest in
// scripts/test-integration.mjs) through files in the extension host's temp dir.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { waitFor } from './helpers';

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
  await waitFor(() => fs.existsSync(answer), { what: `the launcher to answer the ${request.kind} request`, timeoutMs, intervalMs: 50 });
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
  return waitFor(
    async () => {
      const { webviews } = await ask<{ webviews: WebviewDom[] }>({ kind: 'webviews' }, Math.max(1000, deadline - Date.now()));
      const page = webviews.find((dom) => dom.taskId === taskId);
      if (!page) throw new Error('no such page');
      if (!ready(page)) throw new Error(`the page shows ${JSON.stringify((page.appText ?? '').slice(0, 300))}`);
      return page;
    },
    { what: `the detail page of ${taskId} to be ready`, timeoutMs, intervalMs: 200 },
  );
}
