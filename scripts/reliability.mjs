// `npm run test:reliability` (and a step of `npm test`): the SIGKILL soak, bounded in time, then
// docs/reliability.md from the recorded counts. Expects compiled tests (out/) and dist/server.js,
// which the earlier steps of `npm test` produce. Writes test-results/reliability.json
// {passed, failed, ...}: the soak's checks (the unit-level reliability tests count in the unit suite).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const KILLS = Number(process.env.TASKLANE_SOAK_KILLS) || 20;
const LIMIT_MS = Number(process.env.TASKLANE_SOAK_TIMEOUT_MS) || 240_000;

rmSync('test-results/reliability-soak.json', { force: true });
const soak = spawnSync(process.execPath, ['out/test/unit/reliability/soak/soakRun.js', String(KILLS), 'test-results/reliability-soak.json'], {
  stdio: 'inherit',
  timeout: LIMIT_MS,
  killSignal: 'SIGKILL',
});
if (soak.error) console.error(`soak: stopped after ${LIMIT_MS / 1000} s (${soak.error.message})`);
const report = spawnSync(process.execPath, ['scripts/reliability-report.mjs'], { stdio: 'inherit' });
process.exit(soak.status === 0 && report.status === 0 ? 0 : 1);
