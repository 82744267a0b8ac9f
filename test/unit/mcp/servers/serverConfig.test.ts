import assert from 'node:assert/strict';
import * as path from 'node:path';
import { formatProblem } from '../../../../src/mcp/client/configProblems';
import type { InputDefinition } from '../../../../src/mcp/client/launchVariables';
import { freshServerId, mergeServers, parseJsonc, parseMcpJson, parseSettingsServers, serverIdOf } from '../../../../src/mcp/client/serverConfig';
import { type ConfigResolutionError, parseDotenv, resolveLaunch } from '../../../../src/mcp/client/serverLaunch';
import { splitCommandLine } from '../../../../src/core/shellCommandLine';

const FILE = '/ws/.vscode/mcp.json';
const FOLDER = '/ws';

describe('server configuration: tasklane.servers setting', () => {
  it('reads stdio and http entries, with ids from the name unless given', () => {
    const { servers, problems } = parseSettingsServers(
      [
        { name: 'My Tools', type: 'stdio', command: 'node', args: ['server.js', '--stdio'], env: { A: '1', N: 2, OFF: null }, cwd: '${workspaceFolder}/tools' },
        { id: 'remote', name: 'Remote', type: 'http', url: 'https://example.com/mcp', headers: { 'X-Team': 'core' } },
        { name: 'Inferred', url: 'http://127.0.0.1:3001/mcp' },
        { name: 'Legacy SSE', type: 'sse', url: 'http://127.0.0.1:3002/sse' },
      ],
      { folder: FOLDER },
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      servers.map((s) => [s.id, s.name, s.launch.type, s.source]),
      [
        ['my-tools', 'My Tools', 'stdio', 'settings'],
        ['remote', 'Remote', 'http', 'settings'],
        ['inferred', 'Inferred', 'http', 'settings'],
        ['legacy-sse', 'Legacy SSE', 'http', 'settings'],
      ],
    );
    assert.deepEqual(servers[0].launch, {
      type: 'stdio',
      command: 'node',
      args: ['server.js', '--stdio'],
      env: { A: '1', N: '2' },
      cwd: '${workspaceFolder}/tools',
    });
    assert.deepEqual(servers[1].launch, { type: 'http', url: 'https://example.com/mcp', headers: { 'X-Team': 'core' } });
  });

  it('reports a bad entry by index and field, and keeps the good ones', () => {
    const { servers, problems } = parseSettingsServers([
      { name: 'ok', command: 'node' },
      { name: 'no command', type: 'stdio', args: [] },
      { name: 'typo', comand: 'node' },
      { name: 'bad url', type: 'http', url: 'ftp://example.com' },
      { type: 'stdio', command: 'x' },
      { name: 'bad args', command: 'x', args: [1] },
      { name: 'mixed', type: 'http', url: 'https://a.example/mcp', command: 'x' },
      'just a string',
    ]);
    assert.deepEqual(
      servers.map((s) => s.id),
      ['ok'],
    );
    const text = problems.map(formatProblem);
    assert.ok(
      text.includes('Settings (tasklane.servers): tasklane.servers[1].command: is required for a stdio server (the program to start)'),
      text.join('\n'),
    );
    assert.ok(
      text.some((t) => t.startsWith('Settings (tasklane.servers): tasklane.servers[2].comand: is not a known field (did you mean "command"?)')),
      text.join('\n'),
    );
    assert.ok(
      text.some((t) => t.includes('tasklane.servers[3].url: must be an http:// or https:// URL, not ftp:')),
      text.join('\n'),
    );
    assert.ok(
      text.some((t) => t.includes('tasklane.servers[4].name: is required')),
      text.join('\n'),
    );
    assert.ok(
      text.some((t) => t.includes('tasklane.servers[5].args[0]: must be a string, not a number')),
      text.join('\n'),
    );
    assert.ok(
      text.some((t) => t.includes('tasklane.servers[6].command: belongs to a stdio server')),
      text.join('\n'),
    );
    assert.ok(
      text.some((t) => t.includes('tasklane.servers[7]: must be an object')),
      text.join('\n'),
    );
    assert.equal(problems.find((p) => p.field.startsWith('tasklane.servers[1]'))?.serverId, 'no-command');
  });

  it('rejects a value that is not a list, and ${input:…} in settings', () => {
    assert.match(formatProblem(parseSettingsServers({ name: 'x' }).problems[0]), /tasklane\.servers: must be a list/);
    const { servers, problems } = parseSettingsServers([{ name: 'x', url: 'https://a.example/mcp', headers: { Authorization: 'Bearer ${input:token}' } }]);
    assert.deepEqual(servers, []);
    assert.match(problems[0].message, /Set Server Token/);
    assert.equal(problems[0].field, 'tasklane.servers[0].headers.Authorization');
  });

  it('treats an unset setting as no servers', () => {
    assert.deepEqual(parseSettingsServers(undefined), { servers: [], problems: [] });
    assert.deepEqual(parseSettingsServers([]), { servers: [], problems: [] });
  });

  it('marks an http entry as a team board with "team": true, in settings and mcp.json, and refuses it on a stdio entry', () => {
    const parsed = parseSettingsServers([
      { name: 'Team', url: 'https://team.example/mcp', team: true },
      { name: 'Plain', url: 'https://plain.example/mcp' },
      { name: 'Local', command: 'node', team: true },
    ]);
    assert.deepEqual(
      parsed.servers.map((server) => [server.id, server.launch.type === 'http' && server.launch.team === true]),
      [
        ['team', true],
        ['plain', false],
      ],
    );
    assert.deepEqual(
      parsed.problems.map((problem) => [problem.field, problem.message]),
      [['tasklane.servers[2].team', 'belongs to an http server (a team server reached at its "url")']],
    );
    const fromFile = parseMcpJson('{ "servers": { "board": { "type": "http", "url": "https://team.example/mcp", "team": true } } }', FILE, FOLDER);
    assert.equal(fromFile.servers[0]?.launch.type === 'http' && fromFile.servers[0].launch.team, true);
  });

  it('keeps "team" when the launch is resolved, so the connection asks for a wire that lists tasks', async () => {
    const [server] = parseSettingsServers([{ name: 'Team', url: 'https://team.example/mcp', team: true }]).servers;
    assert.deepEqual(await resolveLaunch(server, { env: {}, input: async () => '' }), {
      type: 'http',
      url: 'https://team.example/mcp',
      headers: {},
      team: true,
    });
  });
});

describe('server configuration: .vscode/mcp.json', () => {
  const text = `{
    // VS Code's format: comments and trailing commas are fine
    "inputs": [
      { "type": "promptString", "id": "token", "description": "API token", "password": true },
      { "type": "pickString", "id": "region", "description": "Region", "options": ["eu", "us"], "default": "eu" },
    ],
    "servers": {
      "everything": { "type": "stdio", "command": "npx", "args": ["-y", "server-everything", "\${input:region}"], "env": { "HOME_DIR": "\${userHome}", "KEY": "\${input:token}" } },
      "remote": { "type": "http", "url": "https://\${input:region}.example.com/mcp", "headers": { "Authorization": "Bearer \${input:token}" } },
      "old": { "type": "sse", "url": "http://127.0.0.1:9000/sse" },
      "implied": { "command": "python", "args": ["-m", "srv"], "dev": { "watch": "**/*.py" } },
    },
  }`;

  it('reads servers, types (sse → http), inputs and extra VS Code keys', () => {
    const { servers, problems } = parseMcpJson(text, FILE, FOLDER);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      servers.map((s) => [s.id, s.launch.type, s.source, s.origin, s.folder]),
      [
        ['everything', 'stdio', 'mcp.json', FILE, FOLDER],
        ['remote', 'http', 'mcp.json', FILE, FOLDER],
        ['old', 'http', 'mcp.json', FILE, FOLDER],
        ['implied', 'stdio', 'mcp.json', FILE, FOLDER],
      ],
    );
    assert.deepEqual(
      servers[0].inputs.map((i) => i.id),
      ['region', 'token'],
    );
    assert.deepEqual(
      servers[1].inputs.map((i) => [i.id, i.password]),
      [
        ['region', false],
        ['token', true],
      ],
    );
    assert.deepEqual(servers[0].inputs[0].options, ['eu', 'us']);
    assert.deepEqual(servers[3].inputs, []);
  });

  it('names the file and field of a bad server and still reads the others', () => {
    const { servers, problems } = parseMcpJson(
      JSON.stringify({
        inputs: [
          { type: 'promptString', id: 'a' },
          { type: 'command', id: 'b', command: 'x' },
          { type: 'promptString', id: 'a' },
        ],
        servers: {
          good: { command: 'node' },
          nothing: {},
          badInput: { command: 'node', env: { X: '${input:missing}' } },
          badVar: { command: 'node', args: ['${config:foo}'] },
          badEnv: { command: 'node', env: ['A=1'] },
          'bad name!': { command: 'node' },
        },
      }),
      FILE,
      FOLDER,
    );
    assert.deepEqual(
      servers.map((s) => s.id),
      ['good'],
    );
    const text = problems.map(formatProblem);
    const expect = (fragment: string) =>
      assert.ok(
        text.some((t) => t.includes(fragment)),
        `${fragment}\n---\n${text.join('\n')}`,
      );
    expect(`${FILE}: inputs[1].type: "command" inputs run editor commands`);
    expect(`${FILE}: inputs[2].id: "a" is declared twice`);
    expect(`${FILE}: servers.nothing.type: is missing: use "stdio" (with "command") or "http" (with "url")`);
    expect(`${FILE}: servers.badInput.env.X: "\${input:missing}" refers to an input that "inputs" does not declare`);
    expect(`${FILE}: servers.badVar.args[0]: "\${config:foo}" is not a variable Tasklane knows`);
    expect(`${FILE}: servers.badEnv.env: must be an object, not an array`);
    expect(`${FILE}: servers.bad name!: the server name must use letters`);
  });

  it('reports a file that is not JSON with its line and column', () => {
    const { servers, problems } = parseMcpJson('{\n  "servers": {\n    "a": { "command": "x" }\n    "b": {}\n  }\n}', FILE);
    assert.deepEqual(servers, []);
    assert.equal(problems.length, 1);
    assert.match(formatProblem(problems[0]), /^\/ws\/\.vscode\/mcp\.json: \(file\): is not valid JSON: .* at line 4, column 5$/);
  });

  it('accepts an empty file and one without servers', () => {
    assert.deepEqual(parseMcpJson('', FILE), { servers: [], problems: [] });
    assert.deepEqual(parseMcpJson('{ "inputs": [] }', FILE), { servers: [], problems: [] });
    assert.match(parseMcpJson('[]', FILE).problems[0].message, /must be an object/);
    assert.match(parseMcpJson('{"servers": []}', FILE).problems[0].message, /must be an object mapping/);
  });
});

describe('server configuration: ids', () => {
  it('gives a server named only with punctuation or another script a non-empty id', () => {
    for (const name of ['!!!', '¡¿?', '日本語のサーバー', 'Сервер', '—']) assert.equal(serverIdOf(name), 'server', name);
    const { servers, problems } = parseSettingsServers([{ name: '日本語のサーバー', command: 'node' }]);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      servers.map((s) => [s.id, s.name]),
      [['server', '日本語のサーバー']],
    );
  });

  it('gives a new server an id that is free, not reserved, and still valid when a suffix is added to a long name', () => {
    assert.equal(freshServerId('My Tools', new Set()), 'my-tools');
    assert.equal(freshServerId('My Tools', new Set(['my-tools', 'my-tools-2'])), 'my-tools-3');
    assert.equal(freshServerId('Tasklane', new Set()), 'tasklane-2');
    assert.equal(freshServerId('???', new Set(['server'])), 'server-2');
    const long = 'x'.repeat(80);
    const id = freshServerId(long, new Set([serverIdOf(long)]));
    assert.equal(id, `${'x'.repeat(62)}-2`);
    // What Add Server writes into the settings must read back as the same server.
    const { servers, problems } = parseSettingsServers([{ id, name: long, command: 'node' }]);
    assert.deepEqual(problems, []);
    assert.equal(servers[0].id, id);
  });
});

describe('server configuration: merging sources', () => {
  it('keeps the first declaration of an id and reports the rest, and reserves the embedded id', () => {
    const settings = parseSettingsServers([
      { name: 'shared', command: 'a' },
      { name: 'Tasklane', command: 'b' },
    ]);
    const workspace = parseMcpJson(JSON.stringify({ servers: { shared: { command: 'c' }, other: { command: 'd' } } }), FILE, FOLDER);
    const merged = mergeServers(settings, workspace);
    assert.deepEqual(
      merged.servers.map((s) => [s.id, s.source]),
      [
        ['shared', 'settings'],
        ['other', 'mcp.json'],
      ],
    );
    const text = merged.problems.map(formatProblem);
    assert.ok(
      text.some((t) => t.includes('"tasklane" belongs to Tasklane\'s embedded server')),
      text.join('\n'),
    );
    assert.ok(
      text.some((t) => t.startsWith(`${FILE}: servers.shared: the id "shared" is already used by a server in Settings`)),
      text.join('\n'),
    );
  });
});

describe("server configuration: Tasklane's own agent entry", () => {
  it('skips, without a problem, the "tasklane" entry that points VS Code at this editor\'s agent endpoint', () => {
    const own = { type: 'http', url: 'http://127.0.0.1:43117/mcp', headers: { Authorization: 'Bearer 0123456789abcdef' } };
    const merged = mergeServers(parseMcpJson(JSON.stringify({ servers: { tasklane: own, other: { command: 'd' } } }), FILE, FOLDER));
    assert.deepEqual(
      merged.servers.map((s) => s.id),
      ['other'],
    );
    assert.deepEqual(merged.problems, []);
  });

  it('still refuses a "tasklane" entry that is anything else', () => {
    const elsewhere = { type: 'http', url: 'https://tasks.example.com/mcp' };
    const merged = mergeServers(parseMcpJson(JSON.stringify({ servers: { tasklane: elsewhere } }), FILE, FOLDER));
    assert.deepEqual(merged.servers, []);
    assert.match(formatProblem(merged.problems[0]), /"tasklane" belongs to Tasklane's embedded server/);
  });
});

describe('server configuration: variables', () => {
  const env = { HOME: '/home/me', API: 'k-123' };

  it('fills in workspace, env, home and inputs, asking each input once', async () => {
    const [server] = parseMcpJson(
      JSON.stringify({
        inputs: [{ type: 'promptString', id: 'token', description: 'Token', password: true }],
        servers: {
          s: {
            command: '${workspaceFolder}/bin/srv',
            args: ['--key=${input:token}', '${workspaceFolderBasename}', '${env:API}', '${env:MISSING}x'],
            env: { T: '${input:token}', H: '${userHome}' },
            cwd: 'sub',
          },
        },
      }),
      FILE,
      FOLDER,
    ).servers;
    const asked: InputDefinition[] = [];
    const launch = await resolveLaunch(server, { env, userHome: '/home/me', input: async (input) => (asked.push(input), 's3cret') });
    assert.deepEqual(launch, {
      type: 'stdio',
      command: '/ws/bin/srv',
      args: ['--key=s3cret', 'ws', 'k-123', 'x'],
      env: { T: 's3cret', H: '/home/me' },
      cwd: path.resolve('/ws/sub'),
    });
    assert.deepEqual(
      asked.map((i) => i.id),
      ['token'],
    );
  });

  it('defaults a stdio server to run in its folder, and reads an envFile', async () => {
    const [server] = parseMcpJson(
      JSON.stringify({ servers: { s: { command: 'srv', envFile: '${workspaceFolder}/.env', env: { B: 'override' } } } }),
      FILE,
      FOLDER,
    ).servers;
    const launch = await resolveLaunch(server, {
      env,
      readFile: (file) => (assert.equal(file, '/ws/.env'), '# comment\nA=1\nexport B="two"\nC=three # note\n'),
    });
    assert.deepEqual(launch, { type: 'stdio', command: 'srv', args: [], env: { A: '1', B: 'override', C: 'three' }, cwd: FOLDER });
  });

  it('resolves an http url and headers, and checks the url afterwards', async () => {
    const parsed = parseMcpJson(
      JSON.stringify({
        inputs: [{ type: 'pickString', id: 'host', options: ['eu.example.com', 'not a host'] }],
        servers: { h: { type: 'http', url: 'https://${input:host}/mcp', headers: { 'X-Key': '${env:API}' } } },
      }),
      FILE,
    );
    const [server] = parsed.servers;
    assert.deepEqual(await resolveLaunch(server, { env, input: async () => 'eu.example.com' }), {
      type: 'http',
      url: 'https://eu.example.com/mcp',
      headers: { 'X-Key': 'k-123' },
    });
    await assert.rejects(
      resolveLaunch(server, { env, input: async () => 'not a host' }),
      /servers\.h\.url: is not an http:\/\/ or https:\/\/ URL once its variables are filled in/,
    );
  });

  it('fails clearly when a prompt is dismissed or no folder is open', async () => {
    const [server] = parseMcpJson(
      JSON.stringify({ inputs: [{ type: 'promptString', id: 't', description: 'The token' }], servers: { s: { command: 'x', args: ['${input:t}'] } } }),
      FILE,
    ).servers;
    await assert.rejects(resolveLaunch(server, { env, input: async () => undefined }), (error: ConfigResolutionError) => {
      assert.equal(error.cancelled, true);
      assert.equal(error.permanent, true);
      assert.match(error.message, /s needs a value for "The token"/);
      return true;
    });
    const [noFolder] = parseSettingsServers([{ name: 'n', command: '${workspaceFolder}/x' }]).servers;
    await assert.rejects(resolveLaunch(noFolder, { env }), /tasklane\.servers \(n\)\.command: uses \$\{workspaceFolder\}, but no workspace folder is open/);
  });
});

describe('server configuration: helpers', () => {
  it('parses JSON with comments without touching strings', () => {
    assert.deepEqual(parseJsonc('{"a": "// not a comment", /* c */ "b": [1, 2,], // tail\n "c": "x,]"}'), { a: '// not a comment', b: [1, 2], c: 'x,]' });
  });

  it('splits command lines like a shell', () => {
    assert.deepEqual(splitCommandLine(`node "my server.js" --name='a b' x\\ y ""`), ['node', 'my server.js', '--name=a b', 'x y', '']);
    assert.throws(() => splitCommandLine('node "open'), /unclosed/);
  });

  it('reads dotenv files', () => {
    assert.deepEqual(parseDotenv('A=1\n\n#x\nB = "a\\nb"\nC=\'q\'\nbad line'), { A: '1', B: 'a\nb', C: 'q' });
  });
});
