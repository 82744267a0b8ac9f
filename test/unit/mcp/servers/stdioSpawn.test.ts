import assert from 'node:assert/strict';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { silentLogger } from '../../../../src/core/logger';
import { PermanentConnectError } from '../../../../src/mcp/client/connectionErrors';
import { ProcessTransport } from '../../../../src/mcp/client/processTransport';
import { type StdioPlatform, quoteForArgv, quoteForCmd, spawnPlan } from '../../../../src/mcp/client/stdioSpawn';

const COMSPEC = 'C:\\Windows\\system32\\cmd.exe';

/*
 * A model of what happens to a `cmd.exe /d /s /c "<line>"` command line on Windows: cmd.exe strips
 * the outer quotes (/s), expands %VARIABLES% that exist, and removes carets outside quotes (an
 * unescaped & | < > there is an operator); the program then splits what is left by the Microsoft
 * C runtime's rules.
 */
const DEFINED = new Set(['PATH', 'USERPROFILE']);

function cmdExe(commandLine: string): string {
  assert.ok(commandLine.startsWith('"') && commandLine.endsWith('"'), '/s strips one pair of outer quotes');
  const line = commandLine.slice(1, -1).replace(/%([^%]+)%/g, (all, name: string) => (DEFINED.has(name) ? `<${name}>` : all));
  let out = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (!quoted && char === '^') {
      out += line[++i] ?? '';
    } else if (char === '"') {
      quoted = !quoted;
      out += char;
    } else if (!quoted && '&|<>'.includes(char)) {
      throw new Error(`cmd.exe would act on ${char} at ${i} in ${line}`);
    } else {
      out += char;
    }
  }
  return out;
}

function argvOf(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let started = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '\\') {
      let count = 0;
      while (line[i] === '\\') (count++, i++);
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(count / 2));
        if (count % 2 === 1) current += '"';
        else quoted = !quoted;
      } else {
        current += '\\'.repeat(count);
        i--;
      }
      started = true;
    } else if (char === '"') {
      quoted = !quoted;
      started = true;
    } else if ((char === ' ' || char === '\t') && !quoted) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

/** What the program receives when the plan is run on Windows. */
function received(command: string, args: readonly string[]): string[] {
  const plan = spawnPlan(command, args, { os: 'win32', comspec: COMSPEC });
  assert.equal(plan.file, COMSPEC);
  assert.deepEqual(plan.args.slice(0, 3), ['/d', '/s', '/c']);
  return argvOf(cmdExe(plan.args[3]));
}

describe('stdio servers on Windows: quoting for cmd.exe', () => {
  it('quotes an argument the way Windows programs parse it back', () => {
    assert.equal(quoteForArgv('plain'), '"plain"');
    assert.equal(quoteForArgv('two words'), '"two words"');
    assert.equal(quoteForArgv('say "hi"'), '"say \\"hi\\""');
    assert.equal(quoteForArgv('C:\\dir\\'), '"C:\\dir\\\\"', 'a trailing backslash would escape the closing quote');
    assert.equal(quoteForArgv('a\\"b'), '"a\\\\\\"b"', 'a backslash before a quote is doubled, then the quote escaped');
    assert.equal(quoteForArgv('C:\\a\\b'), '"C:\\a\\b"', 'other backslashes stay as they are');
    assert.equal(quoteForArgv(''), '""');
  });

  it("escapes cmd.exe's special characters, the quotes included, with a caret", () => {
    assert.equal(quoteForCmd('-y'), '^"-y^"');
    assert.equal(quoteForCmd('a b'), '^"a^ b^"');
    assert.equal(quoteForCmd('a&b|c<d>e'), '^"a^&b^|c^<d^>e^"');
    assert.equal(quoteForCmd('50% ^ !x!'), '^"50^%^ ^^^ ^!x^!^"');
    assert.equal(quoteForCmd('say "hi"'), '^"say^ \\^"hi\\^"^"');
  });

  it('gives every argument back unchanged, spaces, quotes, backslashes and cmd.exe operators included', () => {
    const args = [
      '-y',
      '@modelcontextprotocol/server-everything',
      'C:\\Program Files\\My Server\\',
      'two words',
      'say "hi" & bye',
      'a\\"b',
      '\\\\server\\share\\',
      '%PATH%',
      '%USERPROFILE%\\x',
      '100%',
      '^caret^',
      '!delayed!',
      'x|y<z>w',
      '(group), [list]; a=b, *?',
      '`tick`',
      '',
      ' leading and trailing ',
      '"',
      '\\',
      'tab\there',
      'ünïcödé ✓',
    ];
    assert.deepEqual(received('npx', args), ['npx', ...args]);
    assert.deepEqual(received('C:\\Program Files\\R&D tools\\serve.cmd', ['--port', '7']), ['C:\\Program Files\\R&D tools\\serve.cmd', '--port', '7']);
  });

  it('gives back random arguments made of the characters cmd.exe and argv parsing act on', () => {
    const alphabet = ['a', 'b', ' ', '\t', '\\', '"', '&', '|', '<', '>', '^', '%', '!', '(', ')', ',', ';', '=', '*', '?', '[', ']', '`', 'P', 'A', 'T', 'H'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 300; round++) {
      const args = Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
        Array.from({ length: Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
      );
      assert.deepEqual(received('tool.bat', args), ['tool.bat', ...args], JSON.stringify(args));
    }
  });

  it('refuses an argument with a line break, which cmd.exe would cut the command at', () => {
    assert.throws(() => spawnPlan('npx', ['first\nsecond'], { os: 'win32', comspec: COMSPEC }), PermanentConnectError);
    assert.doesNotThrow(() => spawnPlan('node.exe', ['first\nsecond'], { os: 'win32', comspec: COMSPEC }), 'an .exe gets it without cmd.exe');
  });
});

describe('stdio servers: the spawn plan per platform', () => {
  it('on Windows, starts npx, .cmd and .bat files, and commands without an extension through cmd.exe', () => {
    for (const command of ['npx', 'uvx', 'serve.cmd', 'C:\\tools\\SERVE.CMD', 'run.bat', 'python']) {
      const plan = spawnPlan(command, ['a b'], { os: 'win32', comspec: COMSPEC });
      assert.deepEqual(plan, { file: COMSPEC, args: ['/d', '/s', '/c', `""${command}" ^"a^ b^""`], windowsVerbatimArguments: true }, command);
    }
  });

  it('on Windows, starts .exe and .com files directly, leaving their quoting to Node', () => {
    for (const command of ['C:\\Program Files\\nodejs\\node.exe', 'server.EXE', 'old.com']) {
      assert.deepEqual(spawnPlan(command, ['a b', 'c'], { os: 'win32', comspec: COMSPEC }), {
        file: command,
        args: ['a b', 'c'],
        windowsVerbatimArguments: false,
      });
    }
  });

  it('elsewhere, starts every command directly with its arguments as they are', () => {
    for (const os of ['linux', 'darwin'] as const) {
      assert.deepEqual(spawnPlan('npx', ['-y', 'a b', '"q"'], { os, comspec: COMSPEC }), {
        file: 'npx',
        args: ['-y', 'a b', '"q"'],
        windowsVerbatimArguments: false,
      });
    }
  });
});

/** A child process that answers nothing and exits only when killed (or when its stdin ends, if `exitOnEof`). */
class FakeChild extends EventEmitter {
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly pid = 4242;
  readonly killed: (NodeJS.Signals | number | undefined)[] = [];

  constructor(exitOnEof: boolean) {
    super();
    if (exitOnEof) this.stdin.on('finish', () => this.exit(0, null));
    setImmediate(() => this.emit('spawn'));
  }

  kill(signal?: NodeJS.Signals | number): boolean {
    this.killed.push(signal);
    this.exit(null, typeof signal === 'string' ? signal : 'SIGTERM');
    return true;
  }

  exit(code: number | null, signal: NodeJS.Signals | null): void {
    setImmediate(() => {
      this.emit('exit', code, signal);
      this.emit('close', code, signal);
    });
  }
}

interface FakePlatform extends StdioPlatform {
  readonly spawned: { file: string; args: readonly string[]; options: SpawnOptions }[];
  readonly helpers: { file: string; args: readonly string[] }[];
  child?: FakeChild;
}

function fakePlatform(os: NodeJS.Platform, options: { exitOnEof?: boolean; taskkillWorks?: boolean } = {}): FakePlatform {
  const platform: FakePlatform = {
    os,
    comspec: COMSPEC,
    spawned: [],
    helpers: [],
    spawn(file, args, spawnOptions) {
      platform.spawned.push({ file, args, options: spawnOptions });
      platform.child = new FakeChild(options.exitOnEof ?? false);
      return platform.child as unknown as ChildProcess;
    },
    startHelper(file, args) {
      platform.helpers.push({ file, args });
      if (options.taskkillWorks ?? true) platform.child?.exit(1, null);
    },
  };
  return platform;
}

describe('stdio servers: ProcessTransport through the platform switch', () => {
  const launch = { type: 'stdio' as const, command: 'npx', args: ['-y', '@scope/server', 'C:\\My Files'], env: { TOKEN: 't' }, cwd: 'C:\\work' };

  it('spawns npx on Windows as cmd.exe /d /s /c with the quoted line, no shell, passed verbatim', async () => {
    const platform = fakePlatform('win32');
    const transport = new ProcessTransport(launch, { PATH: 'C:\\bin', UNSET: undefined }, silentLogger, { platform, graceMs: 10 });
    await transport.start();
    assert.deepEqual(platform.spawned, [
      {
        file: COMSPEC,
        args: ['/d', '/s', '/c', '""npx" ^"-y^" ^"@scope/server^" ^"C:\\My^ Files^""'],
        options: {
          cwd: 'C:\\work',
          env: { PATH: 'C:\\bin', TOKEN: 't' },
          stdio: ['pipe', 'pipe', 'pipe'],
          shell: false,
          windowsHide: true,
          windowsVerbatimArguments: true,
        },
      },
    ]);
    await transport.close();
  });

  it('spawns the command itself elsewhere', async () => {
    const platform = fakePlatform('linux');
    const transport = new ProcessTransport({ ...launch, cwd: '/work' }, {}, silentLogger, { platform, graceMs: 10 });
    await transport.start();
    assert.equal(platform.spawned[0].file, 'npx');
    assert.deepEqual(platform.spawned[0].args, launch.args);
    assert.equal(platform.spawned[0].options.windowsVerbatimArguments, false);
    assert.equal(platform.spawned[0].options.shell, false);
    await transport.close();
  });

  it('refuses to start a Windows line cmd.exe would cut, before anything runs', async () => {
    const platform = fakePlatform('win32');
    const transport = new ProcessTransport({ ...launch, args: ['a\r\nb'] }, {}, silentLogger, { platform, graceMs: 10 });
    await assert.rejects(transport.start(), PermanentConnectError);
    assert.equal(platform.spawned.length, 0);
  });

  it('stops a Windows server that does not exit on end of input with taskkill /T /F on its tree, not by killing cmd.exe alone', async () => {
    const platform = fakePlatform('win32');
    const transport = new ProcessTransport(launch, {}, silentLogger, { platform, graceMs: 10 });
    await transport.start();
    await transport.close();
    assert.deepEqual(platform.helpers, [{ file: 'taskkill', args: ['/pid', '4242', '/T', '/F'] }]);
    assert.deepEqual(platform.child?.killed, []);
    assert.ok(transport.exitInfo, 'the process ended');
  });

  it('on Windows, insists with a kill when taskkill could not end it', async () => {
    const platform = fakePlatform('win32', { taskkillWorks: false });
    const transport = new ProcessTransport(launch, {}, silentLogger, { platform, graceMs: 10 });
    await transport.start();
    await transport.close();
    assert.equal(platform.helpers.length, 1);
    assert.deepEqual(platform.child?.killed, ['SIGKILL']);
  });

  it('elsewhere, stops a server that does not exit on end of input with SIGTERM to the process, and no helper', async () => {
    const platform = fakePlatform('linux');
    const transport = new ProcessTransport(launch, {}, silentLogger, { platform, graceMs: 10 });
    await transport.start();
    await transport.close();
    assert.deepEqual(platform.helpers, []);
    assert.deepEqual(platform.child?.killed, ['SIGTERM']);
  });

  it('kills nothing when the server exits once its input ends', async () => {
    for (const os of ['win32', 'linux'] as const) {
      const platform = fakePlatform(os, { exitOnEof: true });
      const transport = new ProcessTransport(launch, {}, silentLogger, { platform, graceMs: 1_000 });
      await transport.start();
      await transport.close();
      assert.deepEqual(platform.helpers, [], os);
      assert.deepEqual(platform.child?.killed, [], os);
    }
  });
});
