/**
 * Counts what the reliability tests try (faults injected, hostile inputs sent) and records the
 * outcome of every unit test, so `docs/reliability.md` is generated from a real run. The hooks
 * below are root-level: mocha applies them to every test of the run, not only these files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Area = 'fault' | 'hostile';

interface Trial {
  readonly area: Area;
  /** The fault or attack, as the report names it. */
  readonly name: string;
  readonly tries: number;
  /** What one try is ("payloads", "cancels", "races", …): a payload counts once however many places it is checked in, and a cancel counts as a cancel, not as a fault injected. */
  readonly unit: string;
  /** What happened, in a few words (the test asserts it; a failing test marks it failed). */
  readonly outcome: string;
  readonly test: string;
}

interface TestOutcome {
  readonly title: string;
  readonly file: string;
  readonly state: 'passed' | 'failed' | 'pending';
  readonly ms: number;
}

export const TALLY_FILE = path.join('test-results', 'reliability-unit.json');

const trials: Trial[] = [];
const tests: TestOutcome[] = [];
let current = '';

/** Records that `tries` instances (each one `unit`) of a fault or attack were run in the current test, with their outcome. */
export function recordTrials(area: Area, name: string, tries: number, outcome: string, unit = 'tries'): void {
  trials.push({ area, name, tries, unit, outcome, test: current });
}

beforeEach(function () {
  current = this.currentTest?.fullTitle() ?? '';
});

afterEach(function () {
  const test = this.currentTest;
  if (!test) return;
  const state = test.state === 'passed' ? 'passed' : test.state === 'failed' ? 'failed' : 'pending';
  tests.push({ title: test.fullTitle(), file: path.relative(process.cwd(), test.file ?? ''), state, ms: test.duration ?? 0 });
});

after(function () {
  const failed = new Set(tests.filter((t) => t.state !== 'passed').map((t) => t.title));
  const recorded = trials.map((trial) => ({ ...trial, passed: !failed.has(trial.test) }));
  fs.mkdirSync(path.dirname(TALLY_FILE), { recursive: true });
  fs.writeFileSync(TALLY_FILE, JSON.stringify({ at: new Date().toISOString(), trials: recorded, tests }, null, 2) + '\n');
});
