/** Entry point of a benchmark child process: `node child.js <module> <export> <json args>`. */
import { CHILD_RESULT_PREFIX } from './harness';

async function main(): Promise<void> {
  const [moduleName, exportName, json] = process.argv.slice(2);
  if (!/^[A-Za-z]+$/.test(moduleName ?? '')) throw new Error(`bad module name: ${moduleName}`);
  const mod = require(`./${moduleName}`) as Record<string, (args: unknown) => unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${moduleName} has no export ${exportName}`);
  const result = await fn(JSON.parse(json ?? 'null'));
  process.stdout.write(`${CHILD_RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
