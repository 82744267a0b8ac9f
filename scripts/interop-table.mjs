// Runs the real interop checks and writes docs/interop.md: a table peer × wire × operation
// (create, get, result, list, cancel, input) → pass / fail / n.a., filled only from the runs.
//
// Each interop test names its cell in its title: `[interop <peer>><server> <wire> <op>]` (op `*`
// = every operation), and `[n.a.: why]` when it checks that the operation does not exist on that
// pairing. A cell passes when every test naming it passed, fails when any failed, and is n.a.
// when its tests proved the operation absent. Nothing in the table is written by hand.
//
// Usage: node scripts/interop-table.mjs [--no-build] [--out docs/interop.md]
// The tests run in strict mode (TASKLANE_INTEROP_STRICT=1): every peer with its own defaults.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { sectionOf } from './conformance/interopSection.mjs';

const args = process.argv.slice(2);
const outFile = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'docs/interop.md';
const FILES = ['tasklaneClient.matrix.test.js', 'sdkClient.matrix.test.js', 'extTasks.test.js'].map((name) => join('out/test/unit/interop', name));
const OPS = ['create', 'get', 'result', 'list', 'cancel', 'input'];

if (!args.includes('--no-build')) {
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const build = spawnSync(npx, ['tsc', '-p', '.'], { stdio: 'inherit' });
  if (build.status !== 0) console.warn('interop-table: tsc reported errors; running the compiled tests that exist');
}
for (const file of FILES) {
  if (!existsSync(file)) {
    console.error(`interop-table: ${file} is missing; build first (npx tsc -p .)`);
    process.exit(2);
  }
}

process.env.TASKLANE_INTEROP_STRICT = '1';
const results = [];
const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, reporter: 'spec' });
for (const file of FILES) mocha.addFile(join(process.cwd(), file));
const runner = mocha.run();
const record = (state) => (test, error) =>
  results.push({ title: test.title, fullTitle: test.fullTitle(), state, error: error ? firstLine(error.message ?? String(error)) : undefined });
runner.on('pass', record('passed'));
runner.on('fail', (test, error) => {
  // A failing hook fails every cell its suite would have checked: name them from the suite.
  if (test.type === 'hook' && test.parent) {
    for (const inner of test.parent.tests)
      results.push({ title: inner.title, fullTitle: inner.fullTitle(), state: 'failed', error: `${test.title}: ${firstLine(error.message ?? String(error))}` });
    return;
  }
  record('failed')(test, error);
});
runner.on('end', () => {
  // The conformance section is written by `npm run test:conformance -- --doc`: keep it as it is.
  const conformance = existsSync(outFile) ? sectionOf(readFileSync(outFile, 'utf8')) : undefined;
  const markdown = render(results) + (conformance ? `\n${conformance}\n` : '');
  writeFileSync(outFile, markdown);
  const failed = results.filter((r) => r.state === 'failed').length;
  console.log(`\ninterop-table: wrote ${outFile} from ${results.length} checks (${failed} failed)`);
  setTimeout(() => process.exit(0), 500).unref();
});

function firstLine(text) {
  return String(text).split('\n')[0].slice(0, 300);
}

function version(pkg) {
  try {
    return JSON.parse(readFileSync(join('node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

function render(all) {
  const own = JSON.parse(readFileSync('package.json', 'utf8'));
  const v = {
    tasklane: own.version,
    sdk: version('@modelcontextprotocol/sdk'),
    everything: version('@modelcontextprotocol/server-everything'),
    extTasks: version('@modelcontextprotocol/ext-tasks'),
    client2: version('@modelcontextprotocol/client'),
  };
  const PEERS = {
    'tasklane-client': `Tasklane client ${v.tasklane}`,
    'sdk-1.x-client': `\`@modelcontextprotocol/sdk\` ${v.sdk} \`Client\``,
    'ext-tasks': `\`@modelcontextprotocol/ext-tasks\` ${v.extTasks} on \`@modelcontextprotocol/client\` ${v.client2}`,
  };
  const SERVERS = {
    'server-everything': `\`@modelcontextprotocol/server-everything\` ${v.everything} (streamableHttp)`,
    'tasklane-server': `Tasklane server ${v.tasklane} (standalone, HTTP)`,
  };
  const WIRES = { '2025-11-25': '2025-11-25 tasks utility', 'io.modelcontextprotocol/tasks': '`io.modelcontextprotocol/tasks` (2026-07-28)' };

  // cells: key "peer>server|wire" → op → [{state, na, note, title}]
  const rows = new Map();
  const untagged = [];
  for (const r of all) {
    const match = /\[interop ([^>\s\]]+)>(\S+) (\S+) (\S+)\]/.exec(r.title);
    if (!match) {
      untagged.push(r);
      continue;
    }
    const [, peer, server, wire, op] = match;
    const na = /\[n\.a\.: ([^\]]+)\]/.exec(r.title)?.[1];
    const key = `${peer}>${server}|${wire}`;
    if (!rows.has(key)) rows.set(key, { peer, server, wire, cells: new Map() });
    for (const o of op === '*' ? OPS : [op]) {
      const cells = rows.get(key).cells;
      if (!cells.has(o)) cells.set(o, []);
      cells.get(o).push({ state: r.state, na, error: r.error, title: r.title.replace(/\[[^\]]*\]\s*/g, '') });
    }
  }

  const notes = [];
  const note = (text) => {
    let index = notes.indexOf(text);
    if (index < 0) index = notes.push(text) - 1;
    return `<sup>${index + 1}</sup>`;
  };
  const cell = (checks) => {
    if (!checks?.length) return '— (not run)';
    const failures = checks.filter((c) => c.state !== 'passed');
    if (failures.length) return `**fail**${note(failures.map((f) => `${f.title}: ${f.error ?? 'failed'}`).join(' / '))}`;
    const na = checks.find((c) => c.na);
    if (na) return `n.a.${note(na.na)}`;
    return 'pass';
  };

  const order = (key) => {
    const { peer, server, wire } = rows.get(key);
    return [Object.keys(PEERS).indexOf(peer), Object.keys(SERVERS).indexOf(server), Object.keys(WIRES).indexOf(wire)];
  };
  const keys = [...rows.keys()].sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });

  const lines = [];
  lines.push('# Interop: Tasklane against MCP software we did not write');
  lines.push('');
  lines.push(
    `Generated by \`node scripts/interop-table.mjs\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}, ${process.platform}/${process.arch}) from ${all.length} real checks: every cell is the outcome of the tests that name it (\`[interop <peer>><server> <wire> <op>]\` in \`test/unit/interop/*.matrix.test.ts\` and \`test/unit/interop/extTasks.test.ts\`), run in strict mode (each peer with its own defaults). Do not edit the table by hand: run the script again.`,
  );
  lines.push('');
  lines.push(
    'Versions: ' +
      [
        `Tasklane ${v.tasklane}`,
        `@modelcontextprotocol/sdk ${v.sdk}`,
        `@modelcontextprotocol/server-everything ${v.everything}`,
        `@modelcontextprotocol/ext-tasks ${v.extTasks}`,
        `@modelcontextprotocol/client ${v.client2}`,
      ].join(', ') +
      '.',
  );
  lines.push('');
  lines.push(`| client (peer) | server | wire | ${OPS.join(' | ')} |`);
  lines.push(`|---|---|---|${OPS.map(() => '---').join('|')}|`);
  for (const key of keys) {
    const { peer, server, wire, cells } = rows.get(key);
    lines.push(`| ${PEERS[peer] ?? peer} | ${SERVERS[server] ?? server} | ${WIRES[wire] ?? wire} | ${OPS.map((op) => cell(cells.get(op))).join(' | ')} |`);
  }
  lines.push('');
  lines.push(
    'Operations: **create** a tool call that becomes a task; **get** `tasks/get`; **result** the final result (`tasks/result` on 2025-11-25, inline in the terminal `tasks/get` on the extension); **list** `tasks/list`; **cancel** `tasks/cancel` until the task is `cancelled`; **input** a task that needs input (`input_required`), answered (an `elicitation/create` tied to the task on 2025-11-25, `inputRequests` answered with `tasks/update` on the extension) until it completes.',
  );
  lines.push('');
  if (notes.length) {
    lines.push('Notes (from the runs):');
    lines.push('');
    notes.forEach((text, i) => lines.push(`${i + 1}. ${text.replace(/\|/g, '\\|')}`));
    lines.push('');
  }
  lines.push('## How each peer is driven');
  lines.push('');
  lines.push(
    '- **Tasklane client**: `connectHttpServer` asks `server/discover` in the stateless 2026-07-28 framing and uses `TaskClientV2` when the server declares `io.modelcontextprotocol/tasks`; otherwise it opens a 2025-11-25 session (`TaskClientV1` on the SDK 1.x transport). server-everything refuses the stateless request without a session, so it gets 2025-11-25; our server is tried on each wire (`prefer`). Tasks run through `TaskService`, the code the editor uses: questions become pending input and are answered with `answerInput`.',
  );
  lines.push(
    '- **SDK 1.x client**: `Client` + `StreamableHTTPClientTransport`, tasks through `client.request(tools/call with params.task)` and `client.experimental.tasks` (`getTask`, `getTaskResult`, `listTasks`, `cancelTask`, `callToolStream`). It has no 2026-07-28 (its newest protocol version is 2025-11-25).',
  );
  lines.push(
    '- **ext-tasks**: `createTaskSessionFromClient` on the 2.x `Client`. 2025-11-25: the client\'s default legacy `initialize` session. Extension: `versionNegotiation: { mode: "auto" }` (the 2.x client probes `server/discover` and picks 2026-07-28) and, as the package requires for 2026-07-28 task traffic, a host `rawDispatch` (a `fetch` POST per request with the routing headers) plus `v2RequestFraming`.',
  );
  lines.push('');
  lines.push(
    'server-everything is also exercised over stdio (`test/unit/interop/serverEverything.test.ts`), and the official conformance suite judges our server on both wires (`npm run test:conformance`, results in the next section); neither is part of this table.',
  );
  lines.push('');
  if (untagged.length) {
    lines.push(`(${untagged.length} checks in these files name no cell and are not counted.)`);
    lines.push('');
  }
  return lines.join('\n');
}
