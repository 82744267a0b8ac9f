import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EMBEDDED_SERVER_ID } from '../../../src/mcp/embeddedServer';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { startHttpServer } from '../../../src/mcp/server/httpServer';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';
import { V2Client } from '../mcp/v2/helpers';
import { recordTrials } from './tally';

/**
 * Workspace trust at the tool layer: code-server cannot open an untrusted window headless, so the
 * gate the extension wires (`isTrusted: () => vscode.workspace.isTrusted`) is exercised here with
 * the same host objects, on the embedded server and over HTTP on both wires.
 */
describe('reliability: an untrusted workspace runs no commands', function () {
  this.timeout(20_000);
  let dir: string;
  let trusted: boolean;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-trust-'));
    trusted = false;
  });

  const attempts = (marker: string) => [
    { command: `touch ${marker}` },
    { command: `echo pwned > ${marker}`, cwd: dir },
    { command: `node -e "require('fs').writeFileSync('${marker}', 'x')"` },
    { command: `sh -c 'touch ${marker}'`, timeoutMs: 1000 },
  ];

  it('the embedded server refuses run_command with a reason, runs nothing, and runs it once the workspace is trusted', async () => {
    const harness = await makeTaskHarness({ cwd: dir, isTrusted: () => trusted });
    const { store, service } = harness;
    const marker = path.join(dir, 'ran');
    try {
      let refused = 0;
      for (const args of attempts(marker)) {
        const record = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'run_command', arguments: args });
        const ended = await waitFor(() => (store.get(record.id)?.status !== 'working' ? store.get(record.id) : undefined), { what: 'the refusal' });
        const text = JSON.stringify(ended.result ?? ended.error);
        assert.match(text, /not trusted.*runs no commands in untrusted workspaces/, 'the user is told why');
        assert.equal(fs.existsSync(marker), false, `${args.command} did not run`);
        refused++;
      }
      const harmless = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 1 } });
      await waitFor(() => store.get(harmless.id)?.status === 'completed', { what: 'a tool that runs nothing to work as usual' });
      trusted = true;
      const allowed = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'run_command', arguments: { command: `touch ${marker}` } });
      await waitFor(() => store.get(allowed.id)?.status === 'completed', { what: 'the command to run once trusted' });
      assert.equal(fs.existsSync(marker), true);
      recordTrials(
        'hostile',
        'Untrusted workspace: run_command through the embedded server (tool layer)',
        refused,
        `${refused} refused with "not trusted … runs no commands"; nothing ran; runs once trusted`,
      );
    } finally {
      harness.dispose();
    }
  });

  it('over HTTP (the 2026-07-28 wire; the embedded server above speaks 2025-11-25), an untrusted host refuses run_command and runs nothing', async () => {
    const engine = new TaskEngine({ pollIntervalMs: 20 });
    const server = await startHttpServer({ catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: dir, isTrusted: () => trusted }, engine, { token: 't' });
    const marker = path.join(dir, 'ran-http');
    try {
      const client = new V2Client(server.url, 't');
      let refused = 0;
      for (const args of attempts(marker)) {
        const created = await client.callTool('run_command', args);
        const task = created.taskId ? await client.poll(created.taskId) : created;
        assert.match(JSON.stringify(task), /not trusted/);
        assert.equal(fs.existsSync(marker), false);
        refused++;
      }
      recordTrials('hostile', 'Untrusted workspace: run_command over HTTP (2026-07-28 wire)', refused, `${refused} refused with a reason; nothing ran`);
    } finally {
      await server.close();
      engine.dispose();
    }
  });
});
