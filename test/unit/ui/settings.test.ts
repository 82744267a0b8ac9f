import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { SETTINGS, manifestProperties } from '../../../src/core/settings';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { canPutAway } from '../../../src/core/taskRules';
import { TaskStore } from '../../../src/core/taskStore';
import { contextValueOf } from '../../../src/ui/taskText';

describe('settings', () => {
  const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  const declared = manifest.contributes.configuration.properties as Record<string, { default: unknown; type: string; description: string }>;

  it('package.json declares exactly the settings the code reads, with the same defaults', () => {
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(SETTINGS).sort());
    for (const [key, setting] of Object.entries(SETTINGS)) {
      assert.deepEqual(declared[key].default, setting.default, `${key} default`);
    }
  });

  it('package.json matches what scripts/sync-settings.mjs would write', () => {
    assert.deepEqual(declared, manifestProperties());
  });

  it('every setting has a description and a type that fits its default', () => {
    for (const [key, setting] of Object.entries(declared)) {
      assert.ok(setting.description.length > 20, `${key} has a real description`);
      const expected = Array.isArray(setting.default) ? 'array' : Number.isInteger(setting.default) ? 'integer' : typeof setting.default;
      assert.equal(setting.type, expected, `${key} type`);
    }
  });
});

describe('package.json manifest', () => {
  const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  const commands = new Set((manifest.contributes.commands as { command: string }[]).map((c) => c.command));

  it('every menu entry names a declared command', () => {
    for (const [menu, entries] of Object.entries(manifest.contributes.menus as Record<string, { command: string }[]>)) {
      for (const entry of entries) assert.ok(commands.has(entry.command), `${menu} → ${entry.command}`);
    }
  });

  it("offers Archive and Delete on a task's row exactly when the rule allows (an imported copy, whatever its status)", () => {
    const store = new TaskStore();
    const running = store.create({ serverId: 's', tool: 'wait', arguments: {} });
    const done = store.complete(store.create({ serverId: 's', tool: 'wait', arguments: {} }).id, 'completed', {});
    const [importedRunning, importedDone] = store.importRecords([
      { ...running, id: 'copy-running' },
      { ...done, id: 'copy-done' },
    ]);
    const rows: TaskRecord[] = [running, done, importedRunning!, importedDone!];
    const entries = manifest.contributes.menus['view/item/context'] as { command: string; when: string }[];
    for (const command of ['tasklane.archiveTask', 'tasklane.deleteTask']) {
      const clauses = entries.filter((entry) => entry.command === command).map((entry) => entry.when);
      assert.ok(clauses.length > 0, command);
      for (const when of clauses) {
        const patterns = [...when.matchAll(/viewItem =~ \/(.+?)\/(?= |$)/g)].map((match) => new RegExp(match[1]!));
        for (const row of rows) {
          const offered = patterns.every((pattern) => pattern.test(contextValueOf(row)));
          assert.equal(offered, canPutAway(row), `${command} (${when}) on ${contextValueOf(row)}`);
        }
      }
    }
  });

  it('every command is in the Tasklane category', () => {
    for (const command of manifest.contributes.commands as { category: string; command: string }[]) assert.equal(command.category, 'Tasklane', command.command);
  });

  it('targets no newer VS Code than the one the tests run in, and is typed against no newer API than it targets', () => {
    // The integration tests run in the VS Code that the pinned code-server bundles (code-server 4.X.Y is VS Code 1.X.Y).
    const host = JSON.parse(fs.readFileSync('scripts/host/package.json', 'utf8')).devDependencies['code-server'] as string;
    const hostVscode = version(host.replace(/^4\./, '1.'));
    const engine = version(/^\^(\d+\.\d+\.\d+)$/.exec(manifest.engines.vscode)?.[1] ?? 'none');
    const types = version(JSON.parse(fs.readFileSync('node_modules/@types/vscode/package.json', 'utf8')).version);
    assert.ok(compare(engine, hostVscode) <= 0, `engines.vscode ${manifest.engines.vscode} is at most the tested VS Code ${hostVscode.join('.')}`);
    assert.ok(
      compare(types.slice(0, 2), engine.slice(0, 2)) <= 0,
      `@types/vscode ${types.join('.')} describes no API newer than engines.vscode ${manifest.engines.vscode}`,
    );
  });
});

function version(text: string): number[] {
  const parts = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  assert.ok(parts, `a version: ${text}`);
  return parts.slice(1).map(Number);
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
