import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { tasklaneApi, waitFor } from './helpers';
import { canAskLauncher } from './launcherRequests';

// A real server that asks for sampling (server-everything's trigger-sampling-request), connected
// from the settings like any external server. Tasklane's own LanguageModelSampler asks the user
// and then uses a real language model: the echo model of the test extension
// test/fixtures/lm-provider, which the offline launcher installs beside Tasklane and which records
// what reaches it.
//
// The question is a modal dialog, and VS Code refuses to show dialogs while extension tests run
// (DialogService.skipDialogs), so nobody could click it. The suite answers at the API boundary
// instead: it wraps vscode.window.showWarningMessage (the very function Tasklane calls), records the
// dialog Tasklane asks for, and returns the button a person would press.
const SERVER_ID = 'everything';
const PROVIDER_ID = 'tasklane-test.lm-provider';
const CONSENT = /^Everything asks to use a language model/;

interface AskedDialog {
  message: string;
  options: vscode.MessageOptions;
  buttons: string[];
}

/** Answers Tasklane's sampling question with `answer` (undefined: the person closed the dialog). */
function answerConsent(answer: string | undefined): { asked: AskedDialog[]; dispose(): void } {
  const window = vscode.window as { showWarningMessage: (...args: unknown[]) => Thenable<unknown> };
  const real = window.showWarningMessage;
  const asked: AskedDialog[] = [];
  window.showWarningMessage = (...args: unknown[]) => {
    const [message, options, ...buttons] = args as [string, vscode.MessageOptions, ...string[]];
    if (typeof message !== 'string' || !CONSENT.test(message)) return real(...args);
    asked.push({ message, options, buttons });
    return Promise.resolve(answer);
  };
  return { asked, dispose: () => (window.showWarningMessage = real) };
}

describe('sampling requests in a real VS Code host', function () {
  this.timeout(120_000);
  let tasklane: TasklaneApi;
  let modelRequests: { model: string; texts: string[] }[];

  before(async function () {
    // Only the offline launcher installs the test model.
    if (!canAskLauncher()) this.skip();
    tasklane = await tasklaneApi();
    const provider = vscode.extensions.getExtension<{ requests: { model: string; texts: string[] }[] }>(PROVIDER_ID);
    assert.ok(provider, `the test language model extension ${PROVIDER_ID} is loaded`);
    modelRequests = (await provider.activate()).requests;
    await waitFor(async () => (await vscode.lm.selectChatModels({ vendor: 'tasklane-test' })).length > 0, {
      what: 'the test language model to be offered',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const root = vscode.extensions.getExtension('tasklane.tasklane')!.extensionPath;
    const everything = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
    await vscode.workspace
      .getConfiguration('tasklane')
      .update(
        'servers',
        [{ id: SERVER_ID, name: 'Everything', type: 'stdio', command: process.execPath, args: [everything, 'stdio'] }],
        vscode.ConfigurationTarget.Global,
      );
    await waitFor(() => tasklane.service.getServer(SERVER_ID), { what: 'server-everything to connect', timeoutMs: 30_000 });
  });

  after(async () => {
    if (!tasklane) return;
    await vscode.workspace.getConfiguration('tasklane').update('servers', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(() => tasklane.service.listServers().length === 1, { what: 'the server to go away', timeoutMs: 30_000 });
  });

  const startSampling = async (): Promise<TaskRecord> =>
    vscode.commands.executeCommand('tasklane.newTask', {
      serverId: SERVER_ID,
      tool: 'trigger-sampling-request',
      arguments: { prompt: 'Name a colour', maxTokens: 10 },
    });
  const ended = (record: TaskRecord) =>
    waitFor(
      () => {
        const now = tasklane.store.get(record.id);
        return now && (now.status === 'completed' || now.status === 'failed') ? now : undefined;
      },
      { what: 'the call to end', timeoutMs: 60_000 },
    );

  it('asks the user first in a modal dialog, and tells the server when the user says no', async () => {
    const before = modelRequests.length;
    const consent = answerConsent(undefined);
    try {
      const done = await ended(await startSampling());
      assert.strictEqual(consent.asked.length, 1, 'the user was asked once');
      const [dialog] = consent.asked;
      assert.strictEqual(dialog.options.modal, true, 'in a modal dialog');
      assert.match(dialog.options.detail ?? '', /It sends: “.*Name a colour/, 'showing what would be sent');
      assert.deepStrictEqual(dialog.buttons, ['Allow Once']);
      assert.match(JSON.stringify(done.result ?? done.error), /Tasklane declined the sampling request: the user did not allow it/);
      assert.strictEqual(modelRequests.length, before, 'nothing reached the model');
    } finally {
      consent.dispose();
    }
  });

  it('with consent, sends the request to a VS Code language model and its answer to the server', async () => {
    const before = modelRequests.length;
    const consent = answerConsent('Allow Once');
    try {
      const done = await ended(await startSampling());
      assert.strictEqual(consent.asked.length, 1, 'the user was asked once');
      assert.strictEqual(modelRequests.length, before + 1, 'one request reached the model');
      const sent = modelRequests[before];
      assert.strictEqual(sent.model, 'echo');
      assert.match(sent.texts.join('\n'), /Name a colour/);
      // server-everything returns the model's text inside its tool result.
      assert.match(JSON.stringify(done.result ?? done.error), /LLM sampling result:[\s\S]*Echo: [^"]*Name a colour/);
    } finally {
      consent.dispose();
    }
  });
});
