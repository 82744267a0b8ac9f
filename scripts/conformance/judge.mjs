// What the suite said about one run of a scenario, as one record (scripts/conformance.mjs keeps
// them in test-results/conformance.json and docs/interop.md shows them), and how it is printed.

/** What the suite said, as one record per run. Warnings and skips do not fail a run; any FAILURE does. */
export function judge(run, outcome, expected) {
  const checks = (
    outcome.checks ?? [
      {
        id: run.scenario,
        status: 'FAILURE',
        description: 'the suite produced no checks',
        errorMessage: outcome.output.trim().split('\n').slice(-5).join(' | '),
      },
    ]
  ).filter((check) => check.status !== 'INFO');
  const count = (status) => checks.filter((check) => check.status === status).length;
  const failed = count('FAILURE') + (outcome.code !== 0 && count('FAILURE') === 0 ? 1 : 0);
  const unique = (status) => [
    ...new Set(
      checks
        .filter((check) => check.status === status && (check.errorMessage || check.description))
        .map((check) => short(check.errorMessage || check.description)),
    ),
  ];
  const notes = [...unique('WARNING').map((text) => `Warning (a SHOULD): ${text}`), ...unique('SKIPPED').map((text) => `Skipped by the suite: ${text}`)];
  const status = failed ? (run.key in expected ? 'expected-failure' : 'failed') : 'passed';
  return {
    key: run.key,
    scenario: run.scenario,
    version: run.version,
    tags: run.tags,
    status,
    passed: count('SUCCESS'),
    failed,
    warnings: count('WARNING'),
    skipped: count('SKIPPED'),
    notes,
    checks,
    output: outcome.code !== 0 && count('FAILURE') === 0 ? outcome.output : undefined,
  };
}

function short(text) {
  const line = String(text).replace(/\s+/g, ' ').trim();
  return line.length > 400 ? `${line.slice(0, 397)}…` : line;
}

const MARK = { SUCCESS: '✓', FAILURE: '✗', WARNING: '!', SKIPPED: '-' };
const HEAD = { passed: '✓', failed: '✗', 'expected-failure': '~' };

export function print(result, expected) {
  const label =
    result.status === 'expected-failure'
      ? ' (expected failure)'
      : result.status === 'passed' && result.key in expected
        ? ' (NOW PASSES: on the expected-failure list)'
        : '';
  console.log(
    `\n${HEAD[result.status]} ${result.key}${label}: ${result.passed} passed, ${result.failed} failed, ${result.warnings} warnings, ${result.skipped} skipped`,
  );
  for (const check of result.checks) {
    console.log(`    ${MARK[check.status] ?? '?'} ${check.status.padEnd(7)} ${check.id}: ${check.description ?? check.name ?? ''}`);
    if (check.errorMessage && check.status !== 'SUCCESS') console.log(`              ${String(check.errorMessage).split('\n').join('\n              ')}`);
  }
  if (result.status === 'expected-failure') console.log(`    expected: ${expected[result.key]}`);
  if (result.output) console.log(`    ✗ the suite exited with an error:\n${result.output}`);
}
