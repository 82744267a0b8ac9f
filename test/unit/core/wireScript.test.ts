import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WireEntry, WireLog } from '../../../src/core/wireLog';
import { REPLAY_INITIALIZE_ID, shellQuote, wireScript } from '../../../src/core/wireScript';

// The curl script is run for real by /bin/sh, with a stand-in `curl` on PATH that records the
// arguments it was given: what the shell hands curl is what a server author would send.

const URL = 'http://127.0.0.1:8123/mcp';
let seq = 0;

function entry(patch: Partial<WireEntry> & Pick<WireEntry, 'direction' | 'message'>): WireEntry {
  seq++;
  return { seq, at: new Date(Date.UTC(2026, 6, 28, 12, 0, seq)).toISOString(), transport: 'http', kind: 'request', bytes: 100, flags: [], ...patch };
}

function log(entries: WireEntry[], wire = '2026-07-28'): WireLog {
  return { recordId: 'r1', serverId: 'srv', wire, entries, dropped: { messages: 0, bytes: 0 } };
}

const HOSTILE = `it's "quoted" $(touch pwned) \`touch pwned\` $HOME \\ back\nslash; rm -rf / #`;

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  /** The arguments of each curl call, in order. */
  readonly calls: string[][];
  readonly dir: string;
}

function runCurlScript(text: string, env: Record<string, string> = {}): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-script-'));
  const calls = path.join(dir, 'calls');
  fs.mkdirSync(calls);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  // Records its arguments (NUL-separated); the first call answers with a new session id, as initialize does.
  fs.writeFileSync(
    path.join(bin, 'curl'),
    [
      '#!/bin/sh',
      'n=$(ls "$CURL_CALLS" | wc -l | tr -d " ")',
      'prev=; hdr=',
      'for a in "$@"; do [ "$prev" = "-D" ] && hdr=$a; prev=$a; done',
      'for a in "$@"; do printf "%s\\0" "$a"; done > "$CURL_CALLS/$n"',
      ': > "$hdr"',
      'if [ "$n" = 0 ] && [ -n "${STUB_SESSION:-}" ]; then printf "HTTP/1.1 200 OK\\r\\nmcp-session-id: %s\\r\\n\\r\\n" "$STUB_SESSION" > "$hdr"; fi',
      'echo "{}"',
    ].join('\n'),
    { mode: 0o755 },
  );
  const script = path.join(dir, 'replay.sh');
  fs.writeFileSync(script, text);
  const result = spawnSync('/bin/sh', [script], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, CURL_CALLS: calls, ...env },
  });
  const recorded = fs
    .readdirSync(calls)
    .sort((a, b) => Number(a) - Number(b))
    .map((name) => fs.readFileSync(path.join(calls, name), 'utf8').split('\0').slice(0, -1));
  return { status: result.status, stderr: result.stderr, calls: recorded, dir };
}

function headersOf(call: string[]): string[] {
  return call.flatMap((arg, index) => (call[index - 1] === '-H' ? [arg] : []));
}

function bodyOf(call: string[]): unknown {
  return JSON.parse(call[call.indexOf('--data-raw') + 1]);
}

describe('core/wireScript: a wire log as a script to run again', () => {
  it('quotes any text for the shell: single quotes, $(), backticks, backslashes, new lines', () => {
    // In a folder of its own: if quoting ever breaks, what the text runs lands there.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-quote-'));
    const run = spawnSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(HOSTILE)}`], { encoding: 'utf8', cwd: dir });
    assert.equal(run.stdout, HOSTILE);
    assert.equal(fs.existsSync(path.join(dir, 'pwned')), false);
  });

  it('turns each sent HTTP message into a curl POST whose body is the message exactly, and runs none of its text', () => {
    const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'run_command', arguments: { command: HOSTILE } } };
    const get = { jsonrpc: '2.0', id: 8, method: 'tasks/get', params: { taskId: "t'1" } };
    const script = wireScript(
      log([
        entry({
          direction: 'sent',
          message: call,
          method: 'tools/call',
          rpcId: 7,
          http: { method: 'POST', url: URL, headers: { 'Mcp-Method': 'tools/call', 'MCP-Protocol-Version': '2026-07-28' } },
        }),
        entry({ direction: 'received', kind: 'response', message: { jsonrpc: '2.0', id: 7, result: {} }, http: { status: 200, headers: {} } }),
        entry({ direction: 'sent', message: get, method: 'tasks/get', rpcId: 8, http: { method: 'POST', url: URL, headers: { 'Mcp-Name': `it's` } } }),
      ]),
    );
    assert.ok(script);
    assert.equal(script.kind, 'curl');
    assert.equal(script.messages, 2);
    const run = runCurlScript(script.text);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.calls.length, 2, 'one curl per sent message, none for the received one');
    assert.deepEqual(bodyOf(run.calls[0]), call);
    assert.deepEqual(bodyOf(run.calls[1]), get);
    assert.deepEqual(run.calls[0].slice(0, 4), ['-sS', '-X', 'POST', URL]);
    assert.ok(headersOf(run.calls[0]).includes('Mcp-Method: tools/call'));
    assert.ok(headersOf(run.calls[0]).includes('MCP-Protocol-Version: 2026-07-28'));
    assert.ok(headersOf(run.calls[0]).includes('Accept: application/json, text/event-stream'));
    assert.ok(headersOf(run.calls[1]).includes(`Mcp-Name: it's`));
    assert.equal(fs.existsSync(path.join(run.dir, 'pwned')), false, 'nothing in the messages ran');
  });

  it('sends the token from $TASKLANE_TOKEN and never writes the logged Authorization value', () => {
    const script = wireScript(
      log([
        entry({
          direction: 'sent',
          message: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
          // Redaction is capture's job; even a value that slipped through is not copied.
          http: { method: 'POST', url: URL, headers: { Authorization: 'Bearer s3cret-from-log' } },
        }),
      ]),
    );
    assert.ok(script);
    assert.doesNotMatch(script.text, /s3cret/);
    const run = runCurlScript(script.text, { TASKLANE_TOKEN: 'tok-123' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(
      headersOf(run.calls[0]).filter((header) => header.startsWith('Authorization')),
      ['Authorization: Bearer tok-123'],
    );
    const unset = runCurlScript(script.text);
    assert.notEqual(unset.status, 0, 'without a token the script stops before sending');
    assert.match(unset.stderr, /TASKLANE_TOKEN/);
    assert.equal(unset.calls.length, 0);
  });

  it('carries the session: the logged id first, then the one a response hands out', () => {
    const sent = (id: number) =>
      entry({
        direction: 'sent',
        message: { jsonrpc: '2.0', id, method: 'tasks/get' },
        http: { method: 'POST', url: URL, headers: { 'Mcp-Session-Id': 'logged-session' } },
      });
    const script = wireScript(log([sent(1), sent(2)], '2025-11-25'));
    assert.ok(script);
    const session = (call: string[]) => headersOf(call).filter((header) => header.startsWith('Mcp-Session-Id'));
    const carried = runCurlScript(script.text);
    assert.equal(carried.status, 0, carried.stderr);
    assert.deepEqual(carried.calls.map(session), [['Mcp-Session-Id: logged-session'], ['Mcp-Session-Id: logged-session']]);
    const renewed = runCurlScript(script.text, { STUB_SESSION: 'fresh-session' });
    assert.deepEqual(renewed.calls.map(session), [['Mcp-Session-Id: logged-session'], ['Mcp-Session-Id: fresh-session']]);
  });

  it('leaves out a logged header that would break the command line, and says when a body was cut', () => {
    const script = wireScript(
      log([
        entry({
          direction: 'sent',
          message: { jsonrpc: '2.0', id: 1, method: 'tools/call' },
          bytes: 5000,
          cut: { keptBytes: 400 },
          http: { method: 'POST', url: URL, headers: { 'Mcp-Name': 'a\nb', 'Bad Name': 'x' } },
        }),
      ]),
    );
    assert.ok(script);
    assert.match(script.text, /Cut in the log: 400 of 5000 bytes kept/);
    const run = runCurlScript(script.text);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(headersOf(run.calls[0]), ['Content-Type: application/json', 'Accept: application/json, text/event-stream']);
  });

  it('writes a stdio or in-memory log as JSON lines of the sent messages, led by an initialize when the log has none', () => {
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'wait', task: { ttl: 60000 }, arguments: { note: HOSTILE } } };
    const script = wireScript(
      log(
        [
          entry({ transport: 'memory', direction: 'sent', message: call }),
          entry({ transport: 'memory', direction: 'received', kind: 'response', message: { jsonrpc: '2.0', id: 2, result: {} } }),
          entry({
            transport: 'memory',
            direction: 'sent',
            kind: 'notification',
            message: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } },
          }),
        ],
        '2025-11-25',
      ),
    );
    assert.ok(script);
    assert.equal(script.kind, 'jsonl');
    const lines = script.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((line) => line.method),
      ['initialize', 'notifications/initialized', 'tools/call', 'notifications/cancelled'],
    );
    assert.equal(lines[0].id, REPLAY_INITIALIZE_ID);
    assert.equal((lines[0].params as { protocolVersion: string }).protocolVersion, '2025-11-25');
    assert.deepEqual(lines[2], call);
  });

  it('keeps a logged initialize as the first line, and has nothing to copy when nothing was sent', () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const script = wireScript(log([entry({ transport: 'stdio', direction: 'sent', message: initialize })]));
    assert.deepEqual(script?.text, `${JSON.stringify(initialize)}\n`);
    assert.equal(wireScript(log([entry({ transport: 'stdio', direction: 'received', message: {} })])), undefined);
  });
});
