// ESLint: a few rules that catch real bugs with the type checker's help (promises nobody awaits,
// promises handed to callers that ignore them, dead code, loose equality, value imports used only
// as types) and the layer boundaries of docs/architecture.md. Layout is Prettier's job
// (.prettierrc); nothing here is about style. `npm run lint` allows no warnings.
import { defineConfig } from 'eslint/config';
import eslintConfigPrettier from 'eslint-config-prettier/flat';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` patterns for one layer; each names what the layer may not reach and why. */
const forbid = (...patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

const NO_VSCODE = { group: ['vscode'], message: 'This layer runs outside VS Code (plain Node, the standalone server, unit tests): no vscode here.' };
const NO_EXTENSION = { regex: '(^|/)extension$', message: 'extension.ts builds and connects everything; nothing imports it.' };
/** The team store (PostgreSQL) is the standalone server's alone: the editor's bundle must not carry `pg`, and the embedded path needs no database. */
const NO_TEAM = {
  regex: '(^|/)team(/|$)',
  message: 'src/mcp/team (the PostgreSQL team store) is used only by the standalone server entry (src/mcp/server/cli.ts).',
};
const NO_PG = {
  group: ['pg', 'pg/*', 'pg-*', 'pg-boss', 'graphile-worker'],
  message: 'PostgreSQL code lives in src/mcp/team, so dist/extension.js never bundles a database client.',
};

export default defineConfig(
  {
    ignores: ['dist/**', 'out/**', 'test-results/**', '.vscode-test/**', 'node_modules/**', 'test/fixtures/**'],
  },

  // Everything, TypeScript and .mjs alike.
  {
    files: ['**/*.ts', '**/*.mjs'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // The few deliberate `any`s (raw JSON in tests, one SDK signature) say so with a disable comment.
      '@typescript-eslint/no-explicit-any': 'error',
      // `==` has no use here: the code base has none, so every comparison is `===`, null checks included.
      eqeqeq: ['error', 'always'],
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'all',
          caughtErrorsIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // TypeScript: type-aware. Each file is checked with the tsconfig.json nearest to it (the root one
  // for src, test/unit and bench; media/ and test/integration/ have their own), as `check-types` does.
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
    },
  },

  // Layer boundaries (docs/architecture.md): nothing imports upward.
  {
    files: ['src/core/**/*.ts'],
    rules: forbid(NO_VSCODE, NO_EXTENSION, NO_TEAM, NO_PG, {
      regex: '(^|/)(mcp|ui|host|platform)(/|$)',
      message: 'src/core knows no wire, no editor and no view: it may not import src/mcp, src/host, src/platform or src/ui.',
    }),
  },
  {
    files: ['src/mcp/**/*.ts'],
    ignores: ['src/mcp/team/**', 'src/mcp/server/cli.ts'],
    rules: forbid(NO_VSCODE, NO_EXTENSION, NO_TEAM, NO_PG, {
      regex: '(^|/)(ui|host|platform)(/|$)',
      message: 'src/mcp runs outside VS Code: it may not import src/host, src/platform or src/ui.',
    }),
  },
  {
    files: ['src/mcp/client/**/*.ts'],
    rules: forbid(NO_VSCODE, NO_EXTENSION, NO_TEAM, NO_PG, {
      regex: '(^|/)(ui|host|platform|server)(/|$)',
      message:
        'The client side runs outside VS Code and may not import src/ui, src/host, src/platform or the server side: what both sides need is in src/mcp/wires, src/mcp/engine or src/mcp.',
    }),
  },
  {
    files: ['src/mcp/wires/**/*.ts', 'src/mcp/engine/**/*.ts'],
    rules: forbid(NO_VSCODE, NO_EXTENSION, NO_TEAM, NO_PG, {
      regex: '(^|/)(ui|host|platform|client|server)(/|$)',
      message:
        'A wire codec and the engine serve both sides and run outside VS Code: they may not import src/ui, src/host, src/platform, the client side or the server side.',
    }),
  },
  {
    files: ['src/mcp/team/**/*.ts'],
    rules: forbid(NO_VSCODE, NO_EXTENSION, {
      regex: '(^|/)(ui|host|platform|client|server)(/|$)',
      message:
        'The team store serves the standalone server and knows the engine, not the wires or either side: it may not import src/ui, src/host, src/platform, the client or the server side.',
    }),
  },
  {
    files: ['src/mcp/server/cli.ts'],
    rules: forbid(NO_VSCODE, NO_EXTENSION, {
      regex: '(^|/)(ui|host|platform)(/|$)',
      message: 'src/mcp runs outside VS Code: it may not import src/host, src/platform or src/ui.',
    }),
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: forbid(NO_EXTENSION, NO_TEAM, NO_PG, {
      regex: '(^|/)(mcp|host|ui)(/|$)',
      message: 'src/platform holds VS Code helpers shared by host adapters and views (commands, settings): it knows no MCP and no view.',
    }),
  },
  {
    files: ['src/host/**/*.ts'],
    rules: forbid(NO_EXTENSION, NO_TEAM, NO_PG, {
      regex: '(^|/)ui(/|$)',
      message: 'Host adapters serve the views through core ports; they may not import src/ui.',
    }),
  },
  {
    files: ['src/ui/**/*.ts'],
    rules: forbid(NO_EXTENSION, NO_TEAM, NO_PG, {
      regex: '(^|/)(mcp|host)(/|$)',
      message: "Views and commands act only through core's ports (TaskActions, ServerDirectory) and read the store: they may not import src/mcp or src/host.",
    }),
  },
  {
    files: ['src/extension.ts'],
    rules: forbid(NO_TEAM, NO_PG),
  },
  {
    files: ['media/**/*.ts'],
    rules: forbid(
      NO_VSCODE,
      { group: ['node:*'], message: 'The webview runs in a browser: no Node modules.' },
      {
        regex: '(^|/)src/(?!ui/detail/(protocol|format)$|core/testFailureText$)',
        message:
          'The webview shares only the typed protocol and its formatting with the extension (src/ui/detail/protocol.ts, format.ts, and the DOM-free src/core/testFailureText.ts; see media/tsconfig.json).',
      },
    ),
  },
  {
    files: ['test/unit/**/*.ts', 'bench/**/*.ts'],
    // bench/host/ is the probe the real-host activation benchmark loads inside VS Code, like an integration test.
    ignores: ['bench/host/**'],
    rules: forbid({ group: ['vscode'], message: 'Unit tests and benchmarks run in plain Node: no vscode (integration tests run in the real host).' }),
  },

  // Turns off any rule that would fight Prettier's layout (none of the above do; this keeps it so).
  eslintConfigPrettier,
);
