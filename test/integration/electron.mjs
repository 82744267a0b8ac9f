#!/usr/bin/env node
// Alternative launcher for machines that can download VS Code (desktop Electron build):
// runs the same compiled suite (out/test/integration, run()) via @vscode/test-electron.
//
//   npx tsc -p test/integration/tsconfig.json && npm run build && node test/integration/electron.mjs
//
// Env: VSCODE_TEST_VERSION  VS Code version to download (default 'stable'; e.g. 1.139.1)
// On a headless Linux box wrap it in xvfb-run. Offline machines use scripts/test-integration.mjs instead.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

try {
  const code = await runTests({
    version: process.env.VSCODE_TEST_VERSION || 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'integration'),
    launchArgs: [
      path.join(root, 'test', 'fixtures', 'workspace'),
      '--disable-extensions', // only the extension under development
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
  });
  process.exit(code);
} catch (err) {
  console.error('Integration tests failed:', err);
  process.exit(1);
}
