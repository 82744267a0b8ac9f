import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { tasklaneApi, waitFor } from './helpers';

// A real server that asks for sampling (server-everything's trigger-sampling-request), connected
// from the settings like any external server; the real LanguageModelSampler answers it.
const SERVER_ID = 'everything';

describe('sampling requests in a real VS Code host', function () {
  this.timeout(90_000);
  let tasklane: TasklaneApi;
  let consent: TasklaneApi['sampler']['consent'];
  const asked: string[] = [];

  before(async () => {
    tasklane = await tasklaneApi();
    consent = tasklane.sampler.consent;
    const root = vscode.extensions.getExtension('tasklane.tasklane')!.extensionPath;
    const everything = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
    await vscode.workspace
      .getConfiguration('tasklane')
      .update('servers', [{ id: SERVER_ID, name: 'Everything', type: 'stdio', command: process.execPath, args: [everything, 'stdio'] }], vscode.ConfigurationTarget.Global);
    await waitFor('server-everything to connect', () => tasklane.service.getServer(SERVER_ID), 30_000);
  });

  after(async () => {
    tasklane.sampler.consent = consent;
    await vscode.workspace.getConfiguration('tasklane').update('servers', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the server to go away', () => tasklane.service.listServers().length === 1, 30_000);
  });

  const sample = async (): Promise<TaskRecord> => {
    const record: TaskRecord = await vscode.commands.executeCommand('tasklane.newTask', { serverId: SERVER_ID, tool: 'trigger-sampling-request', arguments: { prompt: 'Name a colour', maxTokens: 10 } });
    return waitFor('the call to end', () => {
      const now = tasklane.store.get(record.id);
      return now && (now.status === 'completed' || now.status === 'failed') ? now : undefined;
    });
  };

  it('asks the user first, and tells the server when the user says no', async () => {
    tasklane.sampler.consent = async (request) => {
      asked.push(`${request.serverName}: ${request.excerpt}`);
      return false;
    };
    const record = await sample();
    assert.strictEqual(asked.length, 1);
    assert.match(asked[0], /^Everything: .*Name a colour/);
    assert.match(JSON.stringify(record.result ?? record.error), /Tasklane declined the sampling request: the user did not allow it/);
  });

  it('with consent, uses a VS Code language model, or says that none is available', async () => {
    tasklane.sampler.consent = async () => true;
    const models = await vscode.lm.selectChatModels();
    const record = await sample();
    const outcome = JSON.stringify(record.result ?? record.error);
    if (models.length === 0) assert.match(outcome, /declined the sampling request: no language model is available in this editor/);
    else assert.match(outcome, /LLM sampling result/);
  });
});
