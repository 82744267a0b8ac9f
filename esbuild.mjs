// Bundles the extension (node, cjs, `vscode` external), the standalone server CLI, the conformance
// server (the suite's fixture tools, kept out of dist/server.js), the demo and the detail webview.
// `--production` minifies; otherwise sourcemaps are emitted. `--watch` rebuilds on change.
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const watch = process.argv.includes('--watch');

/**
 * zod re-exports every one of its ~50 message locales (`z.locales`), and the SDK's `import { z }`
 * keeps that whole namespace in the bundle (260 KB minified). Tasklane's messages are English,
 * which zod configures by importing `en` directly: the namespace is answered with English only.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.c?js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? {
            path: new URL(`./node_modules/zod/v4/locales/en${args.path.endsWith('.cjs') ? '.cjs' : '.js'}`, import.meta.url).pathname,
            namespace: 'zod-locales',
          }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: '.',
    }));
  },
};

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'info',
  legalComments: 'none',
  plugins: [zodEnglishOnly],
};

/**
 * Node bundles run where `navigator` must not be touched. Node 21+ has a global `navigator`, and
 * VS Code's extension host replaces it with a getter that reports a `PendingMigrationError`
 * ("navigator is now a global in nodejs") against the extension that reads it. zod 4 reads it
 * (`typeof navigator`, looking for Cloudflare Workers, where it may not compile parsers with
 * `new Function`) when it builds its first object schema. Our Node code never runs in a browser,
 * so every such probe is answered at build time: the reads vanish from the bundle.
 */
const nodeOnly = {
  ...common,
  // The version both MCP sides announce (src/mcp/identity.ts), from package.json.
  define: { navigator: 'undefined', 'globalThis.navigator': 'undefined', __TASKLANE_VERSION__: JSON.stringify(version) },
  // jsonc-parser's `main` is a UMD build whose factory requires its own files at run time, which a
  // bundle cannot satisfy ("Cannot find module './impl/format'"); its ES module build bundles cleanly.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

const builds = [
  { ...nodeOnly, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...nodeOnly, entryPoints: ['src/mcp/server/cli.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' } },
  { ...nodeOnly, entryPoints: ['src/mcp/server/conformanceCli.ts'], outfile: 'dist/conformance-server.js', banner: { js: '#!/usr/bin/env node' } },
  { ...nodeOnly, entryPoints: ['src/mcp/demo.ts'], outfile: 'dist/demo.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['media/detail.ts'], outfile: 'dist/webview.js' },
];

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
