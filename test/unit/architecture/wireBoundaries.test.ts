/**
 * One rule in one place: what is particular to a task wire lives in that wire's own folders, and
 * wire-neutral code reaches the wires only through the two registries. A third wire is then new
 * files in its own folders plus one line in each registry (docs/architecture.md, "Adding a wire").
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { CLIENT_WIRES, STREAM_CLIENT_WIRE } from '../../../src/mcp/client/clientWires';
import { HTTP_SERVER_WIRES, STREAM_SERVER_WIRE } from '../../../src/mcp/server/serverWires';

/** Each wire's own folders, by wire id: its codec and framing, its client, its server. */
const WIRE_FOLDERS: Readonly<Record<string, readonly string[]>> = {
  '2025-11-25': ['src/mcp/wires/v1', 'src/mcp/client/v1', 'src/mcp/server/v1'],
  'io.modelcontextprotocol/tasks': ['src/mcp/wires/v2', 'src/mcp/client/v2', 'src/mcp/server/v2'],
};

/** The only files outside the wires' folders that may import from them: one line per wire each. */
const REGISTRIES = ['src/mcp/client/clientWires.ts', 'src/mcp/server/serverWires.ts'];

/** Layers that know no wire at all: not its id, not its modules. */
const WIRE_FREE_LAYERS = ['src/core', 'src/ui'];

interface SourceFile {
  /** Repository-relative, with forward slashes. */
  readonly file: string;
  readonly text: string;
  /** Every module it imports or re-exports, relative ones resolved to repository-relative paths. */
  readonly imports: readonly string[];
}

function sourceFiles(dir: string): SourceFile[] {
  const files: SourceFile[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) {
      const file = path.relative(process.cwd(), full).split(path.sep).join('/');
      const text = fs.readFileSync(full, 'utf8');
      const imports = ts
        .preProcessFile(text, true, true)
        .importedFiles.map(({ fileName }) => (fileName.startsWith('.') ? path.posix.join(path.posix.dirname(file), fileName) : fileName));
      files.push({ file, text, imports });
    }
  }
  return files;
}

const within = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

/** The wire whose folders hold `file` (a source file or a resolved import), if any. */
function wireOf(file: string): string | undefined {
  return Object.keys(WIRE_FOLDERS).find((wire) => WIRE_FOLDERS[wire].some((folder) => within(file, folder)));
}

/** `file imports module (wire)`, for each import of `source` that lands in a wire's folders and `allowed` does not accept. */
function wireImports(source: SourceFile, allowed: (wire: string) => boolean = () => false): string[] {
  return source.imports.flatMap((module) => {
    const wire = wireOf(module);
    return wire !== undefined && !allowed(wire) ? [`${source.file} imports ${module} (${wire})`] : [];
  });
}

describe('architecture: every wire in its own folders, reached through the registries', () => {
  const sources = sourceFiles(path.join(process.cwd(), 'src'));

  it('every wire the registries list has its folders listed here, and each of those folders exists', () => {
    const registered = new Set([...CLIENT_WIRES, ...HTTP_SERVER_WIRES, STREAM_CLIENT_WIRE, STREAM_SERVER_WIRE].map(({ wire }) => wire));
    assert.deepEqual([...registered].sort(), Object.keys(WIRE_FOLDERS).sort());
    for (const folder of Object.values(WIRE_FOLDERS).flat()) assert.ok(fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory(), `${folder} exists`);
  });

  it('src/core and src/ui name no wire and import nothing of one', () => {
    const layerFiles = sources.filter(({ file }) => WIRE_FREE_LAYERS.some((layer) => within(file, layer)));
    assert.ok(layerFiles.length > 50, 'the scan finds the layers');
    const named = layerFiles.flatMap(({ file, text }) => Object.keys(WIRE_FOLDERS).flatMap((wire) => (text.includes(wire) ? [`${file} names ${wire}`] : [])));
    assert.deepEqual(named, []);
    assert.deepEqual(
      layerFiles.flatMap((source) => wireImports(source)),
      [],
    );
  });

  it("outside the wires' folders, only the registries import a wire's modules", () => {
    const neutral = sources.filter(({ file }) => wireOf(file) === undefined);
    const offenders = neutral.filter(({ file }) => !REGISTRIES.includes(file)).flatMap((source) => wireImports(source));
    assert.deepEqual(offenders, []);
    for (const registry of REGISTRIES) {
      const source = neutral.find(({ file }) => file === registry);
      assert.ok(source, `${registry} exists`);
      assert.ok(wireImports(source).length >= 2, `the scan sees ${registry} import the wires`);
    }
  });

  it("a wire's folders import no other wire's modules", () => {
    const crossings = sources.flatMap((source) => {
      const own = wireOf(source.file);
      return own === undefined ? [] : wireImports(source, (wire) => wire === own);
    });
    assert.deepEqual(crossings, []);
  });

  it('the stream wire is the same on both ends, so the embedded pair speaks one wire', () => {
    assert.equal(STREAM_CLIENT_WIRE.wire, STREAM_SERVER_WIRE.wire);
  });
});
