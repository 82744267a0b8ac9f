import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';

/** Put in by esbuild (`define`) from package.json; absent when tsc compiles the unit tests. */
declare const __TASKLANE_VERSION__: string | undefined;

/** Tasklane's version, as package.json says: what both sides tell the other in their handshake. */
export const TASKLANE_VERSION: string = typeof __TASKLANE_VERSION__ === 'string' ? __TASKLANE_VERSION__ : versionFromPackageJson();

/** Who we are as a client (initialize, or every request's `_meta` on the extension wire). */
export const TASKLANE_CLIENT_INFO: Implementation = { name: 'tasklane', title: 'Tasklane', version: TASKLANE_VERSION };

/** Who we are as a server (initialize result, or `server/discover`). */
export const TASKLANE_SERVER_INFO: Implementation = { name: 'tasklane', title: 'Tasklane', version: TASKLANE_VERSION };

/** For unbundled runs (tsc output under out/): the nearest package.json above this file that is Tasklane's. */
function versionFromPackageJson(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'tasklane' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json here: look further up
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}
