import assert from 'node:assert/strict';
import { CLIENT_FORMATS, clientConfig, shellQuote } from '../../../../src/mcp/agents/clientConfigs';

const endpoint = { url: 'http://127.0.0.1:4711/mcp', token: 'tok_EN-123' };

describe('agents: client configuration snippets', () => {
  it('writes a .vscode/mcp.json servers entry with the bearer header', () => {
    assert.deepEqual(JSON.parse(clientConfig('vscode', endpoint)), {
      servers: { tasklane: { type: 'http', url: endpoint.url, headers: { Authorization: 'Bearer tok_EN-123' } } },
    });
  });

  it("writes Claude Code's .mcp.json mcpServers entry", () => {
    assert.deepEqual(JSON.parse(clientConfig('claudeJson', endpoint)), {
      mcpServers: { tasklane: { type: 'http', url: endpoint.url, headers: { Authorization: 'Bearer tok_EN-123' } } },
    });
  });

  it('writes a claude mcp add command whose header survives the shell as one argument', () => {
    assert.equal(
      clientConfig('claudeCli', endpoint),
      "claude mcp add --transport http tasklane http://127.0.0.1:4711/mcp --header 'Authorization: Bearer tok_EN-123'",
    );
  });

  it('writes a generic JSON description', () => {
    assert.deepEqual(JSON.parse(clientConfig('generic', endpoint)), {
      name: 'tasklane',
      transport: 'streamable-http',
      url: endpoint.url,
      headers: { Authorization: 'Bearer tok_EN-123' },
    });
  });

  it('offers every format by label, and quotes shell words only when needed', () => {
    assert.deepEqual(
      CLIENT_FORMATS.map((f) => f.format),
      ['vscode', 'claudeJson', 'claudeCli', 'generic'],
    );
    assert.equal(shellQuote('plain-word'), 'plain-word');
    assert.equal(shellQuote("it's here"), `'it'\\''s here'`);
  });
});
