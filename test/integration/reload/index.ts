// The after-reload phase: the launcher reloads the window (same browser storage, same
// extension storage) and runs these checks against what the first phase left behind.
import { runTestsIn } from '../index';

export function run(): Promise<void> {
  return runTestsIn(__dirname);
}
