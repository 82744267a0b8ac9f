/**
 * A worker the teamClaim benchmark starts and SIGKILLs: `node out/bench/teamClaimWorker.js NAME URL`.
 * It claims jobs and never finishes them, printing "ready" once it works and "claimed SEQ" per job.
 */
import { type ClaimerName, openClaimer } from './teamClaimers';

async function main(): Promise<void> {
  const [name, url] = process.argv.slice(2) as [ClaimerName, string];
  const claimer = await openClaimer(name, url);
  await claimer.work((seq) => {
    process.stdout.write(`claimed ${seq}\n`);
    return new Promise<void>(() => undefined);
  });
  process.stdout.write('ready\n');
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
