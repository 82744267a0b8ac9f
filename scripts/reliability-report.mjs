// Writes docs/reliability.md and test-results/reliability.json from what the last run recorded:
// the unit suite's fault and attack tallies and outcomes (test-results/reliability-unit.json),
// the real-host hostile-input checks (test-results/reliability-integration.json) and the SIGKILL
// soak (test-results/reliability-soak.json). Nothing in the document is typed by hand except the
// names of the existing checks it groups.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
const unit = read('test-results/reliability-unit.json');
const integration = read('test-results/reliability-integration.json');
const soak = read('test-results/reliability-soak.json');

// Checks that already existed before the reliability suite, grouped by the fault or attack they cover.
const EXISTING = [
  [
    'fault',
    'Torn or corrupt store file (a cut at every byte of the last write, garbage lines, invalid records)',
    /torn last line|garbage line|schema-invalid|crash at any byte/,
  ],
  ['fault', 'Store path unusable (the journal is a directory)', /journal path that turns out|journal is a directory/],
  ['fault', 'Host restart mid-task, in process (embedded tasks come back failed, retryable)', /interrupted and retryable/],
  ['fault', 'External server crashes, connection drops, unanswered pings (supervisor)', /HTTP drop|keeps crashing|unanswered ping|dropped server keeps/],
  ['fault', 'Cancel racing completion on the server', /racing completion|even after a late cancel/],
  ['hostile', 'HTTP: bound to loopback only', /binds to loopback/],
  ['hostile', 'HTTP: missing or wrong bearer token', /token \(401\)|bearer token is required|wrong token is refused/],
  ['hostile', 'HTTP: foreign Origin', /foreign Origin/],
  ['hostile', 'Malformed JSON-RPC: not JSON, batches, unknown methods, oversized bodies', /malformed JSON|not JSON|a batch is|unknown method|oversized body/],
  [
    'hostile',
    'Unknown, malformed, expired or foreign task ids',
    /unknown taskId|malformed taskId|expired task|another principal|related-task _meta naming another|unknown, invalid or expired taskId/,
  ],
  ['hostile', 'Invalid cursors', /invalid or unknown cursor|non-string cursor|bytes were edited/],
  ['hostile', 'Task ids unguessable (122 random bits)', /high-entropy|122 random bits/],
  [
    'hostile',
    'Webview: escaping, one nonce script, malformed messages refused',
    /nonce script|break out of a data: URL|malformed host → webview|malformed webview → host/,
  ],
  ['hostile', 'Malformed answers to questions', /malformed answer/],
];

const rows = { fault: new Map(), hostile: new Map() };
// Tries are counted in their own unit ("payloads", "cancels", "races", "kills"…): a payload counts
// once however many places it is checked in, and a cancel is a cancel, not a fault injected.
const add = (area, name, tries, outcome, passed, source, unit = 'tries') => {
  const row = rows[area].get(name) ?? { name, tries: 0, units: new Map(), outcomes: new Set(), passed: 0, failed: 0, sources: new Set() };
  row.tries += tries;
  row.units.set(unit, (row.units.get(unit) ?? 0) + tries);
  row.outcomes.add(outcome);
  if (passed) row.passed++;
  else row.failed++;
  row.sources.add(source);
  rows[area].set(name, row);
};

for (const trial of unit?.trials ?? []) add(trial.area, trial.name, trial.tries, trial.outcome, trial.passed, 'unit', trial.unit);
for (const trial of integration?.trials ?? []) add(trial.area, trial.name, trial.tries, trial.outcome, trial.passed, 'real VS Code host', trial.unit);
// A reliability test that failed before it could count anything still shows up.
for (const test of unit?.tests ?? []) {
  if (test.state === 'failed' && /reliability/.test(test.file) && !(unit.trials ?? []).some((t) => t.test === test.title))
    add(/hostile|fuzz|http|webview|trust/i.test(test.title) ? 'hostile' : 'fault', test.title, 0, 'the test failed before counting', false, 'unit');
}

const existing = EXISTING.map(([area, name, pattern]) => {
  const tests = (unit?.tests ?? []).filter((t) => pattern.test(t.title) && !/reliability/.test(t.file));
  return {
    area,
    name,
    tests: tests.length,
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length,
  };
});

let soakPassed = 0;
let soakFailed = 0;
if (soak) {
  soakPassed = soak.checks.filter((c) => c.passed).length;
  soakFailed = soak.checks.length - soakPassed;
  const c = soak.counts;
  add(
    'fault',
    'Host core SIGKILLed mid-task and mid-write, reopened (child process soak)',
    soak.kills,
    `${c.reopened} reopens; ${c.resultsAcknowledged} results written, ${c.resultsLost} lost; ${c.tornTailsDropped} torn last writes dropped`,
    soakFailed === 0,
    'soak',
    'kills',
  );
  add(
    'fault',
    'Embedded tasks running at the kill come back failed "Stopped when the window reloaded", retryable',
    c.embeddedInterrupted,
    `${c.embeddedInterrupted} interrupted, ${c.interruptedRetried} of them retried`,
    soakFailed === 0,
    'soak',
    'tasks',
  );
  add(
    'fault',
    'Remote tasks running at the kill are re-attached and followed to their end',
    c.remoteReattached,
    `${c.remoteFollowedToEnd} of ${c.remoteReattached} followed to their end`,
    soakFailed === 0,
    'soak',
    'tasks',
  );
}

function tried(units) {
  return [...units].map(([u, n]) => `${n} ${u}`).join(', ');
}
const table = (area) => {
  const lines = ['| Fault or attack | Tried | Outcome | Tests passed / failed | Where |', '|---|---:|---|---|---|'];
  for (const row of rows[area].values())
    lines.push(`| ${row.name} | ${tried(row.units)} | ${[...row.outcomes].join('; ')} | ${row.passed} / ${row.failed} | ${[...row.sources].join(', ')} |`);
  return lines.join('\n');
};
const existingTable = (area) => {
  const lines = ['| Covered | Tests | Passed | Failed |', '|---|---:|---:|---:|'];
  for (const row of existing.filter((e) => e.area === area)) lines.push(`| ${row.name} | ${row.tests} | ${row.passed} | ${row.failed} |`);
  return lines.join('\n');
};

const reliabilityTests = (unit?.tests ?? []).filter((t) => /reliability/.test(t.file));
const reliabilityMs = reliabilityTests.reduce((sum, t) => sum + t.ms, 0);
const totalTries = (area) => {
  const units = new Map();
  for (const row of rows[area].values()) for (const [u, n] of row.units) units.set(u, (units.get(u) ?? 0) + n);
  return units.size ? tried(units) : 'nothing';
};
const anyFailed = [...rows.fault.values(), ...rows.hostile.values()].some((r) => r.failed > 0) || existing.some((e) => e.failed > 0);
const md = `# Reliability

Generated by \`scripts/reliability-report.mjs\` from the last test run (\`npm test\`); do not edit by hand.
Unit run: ${unit?.at ?? 'not recorded'} (${reliabilityTests.length} reliability tests, ${reliabilityTests.filter((t) => t.state === 'passed').length} passed, ${(reliabilityMs / 1000).toFixed(1)} s). Real-host run: ${integration?.at ?? 'not recorded'}. SIGKILL soak: ${soak ? `${soak.kills} kills, ${soak.checks.filter((c) => c.passed).length} of ${soak.checks.length} checks passed, ${(soak.durationMs / 1000).toFixed(1)} s` : 'not recorded'}.

Tests: \`test/unit/reliability/\` (store on a failing disk, external server faults, races and load, fuzzing,
the HTTP endpoint, workspace trust, the page source), \`test/unit/reliability/soak/\` (the SIGKILL soak),
\`test/integration/hostile.test.ts\` (the detail panel in a real VS Code host). Run them alone with
\`TEST_GREP=reliability npm run test:unit\` and \`npm run test:reliability\`.

A task host is trusted with hours of agent work: it must never lose a task or a result, and never
let a page, a workspace or another local process drive it. The tests below break things on
purpose and assert the state afterwards. **Faults tried: ${totalTries('fault')}. Hostile inputs tried: ${totalTries('hostile')}. ${anyFailed ? 'SOME CHECKS FAILED (see the tables)' : 'Every check passed'}.**

## Faults

${table('fault')}

The soak (\`test/unit/reliability/soak/\`) runs the host's core in a child Node process: the same
\`TaskStore\`, \`EmbeddedServer\` and \`TaskService\` the extension host runs, connected to a real
external Tasklane server (\`dist/server.js --http\`). It is not the VS Code extension host itself.
Each kill is a SIGKILL at a random moment while tasks stream output into the store; the next
process reopens the store and is held, record by record, to everything the killed one had
reported as written.

## Hostile input

${table('hostile')}

## Checks that existed before this suite

Counted from the same unit run, by test title.

### Faults

${existingTable('fault')}

### Hostile input

${existingTable('hostile')}
`;

mkdirSync('docs', { recursive: true });
writeFileSync('docs/reliability.md', md);
const summary = {
  passed: soakPassed,
  failed: soakFailed + (soak ? 0 : 1),
  faults: [...rows.fault.values()].map((r) => ({ ...r, units: Object.fromEntries(r.units), outcomes: [...r.outcomes], sources: [...r.sources] })),
  attacks: [...rows.hostile.values()].map((r) => ({ ...r, units: Object.fromEntries(r.units), outcomes: [...r.outcomes], sources: [...r.sources] })),
  existing,
};
writeFileSync('test-results/reliability.json', JSON.stringify(summary, null, 2) + '\n');
console.log(`reliability: faults tried: ${totalTries('fault')}; hostile inputs tried: ${totalTries('hostile')}; docs/reliability.md written`);
