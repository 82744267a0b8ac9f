import * as vscode from 'vscode';
import type { AgentIdentity } from '../../mcp/agents/agentCredentials';
import { CLIENT_FORMATS, type ClientFormat, clientConfig } from '../../mcp/agents/clientConfigs';
import { registerHandlers } from '../../platform/registerHandlers';
import type { AgentAccess } from './agentAccess';
import type { AgentTokens } from './agentTokens';

/** Optional answers, so tests and other extensions can skip the prompts. */
export interface CopyAgentConfigArgs {
  readonly format?: ClientFormat;
  /** An existing agent's id, or the name of a new one. */
  readonly agentId?: string;
  readonly newAgentName?: string;
}

/** An agent as commands receive it: `{ agentId }`, the id itself, or nothing (then a pick). */
type AgentArg = { agentId?: string } | string | undefined;

/** Registers Copy Agent Configuration…, Rotate Agent Token…, Revoke Agent Access… and Show Agent Server URL. */
export function registerAgentCommands(access: AgentAccess, tokens: AgentTokens, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return registerHandlers(
    {
      'tasklane.copyAgentConfiguration': (arg) => copyAgentConfiguration(access, tokens, (arg as CopyAgentConfigArgs) ?? {}),
      'tasklane.rotateAgentToken': (arg) => rotateAgentToken(access, tokens, arg as AgentArg | 'all'),
      'tasklane.revokeAgentAccess': (arg) => revokeAgentAccess(tokens, arg as AgentArg),
      'tasklane.showAgentServerUrl': () => showAgentServerUrl(access),
    },
    log,
  );
}

function requireUrl(access: AgentAccess): string {
  const state = access.state;
  if (state.kind === 'running') return state.url;
  throw new Error(`Agents cannot reach Tasklane right now: ${state.reason}.`);
}

/** Copies a ready client configuration (URL and the agent's own token) and says what was copied; the token is never logged. */
async function copyAgentConfiguration(
  access: AgentAccess,
  tokens: AgentTokens,
  args: CopyAgentConfigArgs,
): Promise<{ format: ClientFormat; agentId: string } | undefined> {
  const url = requireUrl(access);
  const format = args.format ?? (await pickFormat());
  if (!format) return undefined;
  const agent = args.newAgentName
    ? (await tokens.create(args.newAgentName)).identity
    : await pickAgent(tokens, args.agentId, 'Which agent is this configuration for?', true);
  if (!agent) return undefined;
  const token = await tokens.tokenFor(agent);
  await vscode.env.clipboard.writeText(clientConfig(format, { url, token }));
  const label = CLIENT_FORMATS.find((f) => f.format === format)!.label;
  void vscode.window.showInformationMessage(
    `Copied the ${label} configuration for "${agent.name}": ${url} with its own token. Keep it private; rotate the token if it leaks.`,
  );
  return { format, agentId: agent.id };
}

async function rotateAgentToken(access: AgentAccess, tokens: AgentTokens, arg: AgentArg | 'all'): Promise<string[]> {
  const agents = arg === 'all' ? tokens.list() : await pickAgentsToRotate(tokens, arg);
  if (!agents?.length) return [];
  for (const agent of agents) await tokens.rotate(agent);
  const names = agents.map((agent) => `"${agent.name}"`).join(', ');
  const message = `New token for ${names}; the old one is refused from now on. Update the agent's configuration.`;
  if (agents.length === 1 && access.state.kind === 'running') {
    void vscode.window.showInformationMessage(message, 'Copy Configuration…').then((choice) => {
      if (choice) void vscode.commands.executeCommand('tasklane.copyAgentConfiguration', { agentId: agents[0].id });
    });
  } else {
    void vscode.window.showInformationMessage(message);
  }
  return agents.map((agent) => agent.id);
}

async function revokeAgentAccess(tokens: AgentTokens, arg: AgentArg): Promise<string | undefined> {
  const agent = await pickAgent(tokens, agentIdArg(arg), 'Revoke which agent’s access?', false);
  if (!agent) return undefined;
  if (typeof arg !== 'object' && typeof arg !== 'string') {
    const confirm = await vscode.window.showWarningMessage(
      `Revoke "${agent.name}"'s access to Tasklane? Its token stops working at once; tasks it started keep running.`,
      { modal: true },
      'Revoke',
    );
    if (confirm !== 'Revoke') return undefined;
  }
  await tokens.revoke(agent);
  void vscode.window.showInformationMessage(`"${agent.name}" can no longer reach Tasklane.`);
  return agent.id;
}

async function showAgentServerUrl(access: AgentAccess): Promise<string> {
  const url = requireUrl(access);
  void vscode.window.showInformationMessage(`Agents reach Tasklane at ${url} (Streamable HTTP, each with its own bearer token).`, 'Copy URL').then((choice) => {
    if (choice) void vscode.env.clipboard.writeText(url);
  });
  return url;
}

async function pickFormat(): Promise<ClientFormat | undefined> {
  const picked = await vscode.window.showQuickPick(
    CLIENT_FORMATS.map((f) => ({ label: f.label, detail: f.detail, format: f.format })),
    { title: 'Copy Agent Configuration (1/2)', placeHolder: 'Which client will connect?' },
  );
  return picked?.format;
}

function agentIdArg(arg: AgentArg): string | undefined {
  return typeof arg === 'string' ? arg : arg?.agentId;
}

async function pickAgent(tokens: AgentTokens, agentId: string | undefined, placeHolder: string, allowNew: boolean): Promise<AgentIdentity | undefined> {
  const agents = tokens.list();
  if (agentId) {
    const found = agents.find((agent) => agent.id === agentId);
    if (!found) throw new Error(`No agent "${agentId}" has access to Tasklane.`);
    return found;
  }
  if (!agents.length && !allowNew) {
    void vscode.window.showInformationMessage('No agent has access to Tasklane yet. Use "Tasklane: Copy Agent Configuration…" to let one in.');
    return undefined;
  }
  const NEW = '$(add) New agent…';
  const items = [
    ...(allowNew ? [{ label: NEW, agent: undefined as AgentIdentity | undefined }] : []),
    ...agents.map((agent) => ({ label: agent.name, description: agent.id, agent })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: allowNew ? 'Copy Agent Configuration (2/2)' : undefined, placeHolder });
  if (!picked) return undefined;
  if (picked.agent) return picked.agent;
  const name = await vscode.window.showInputBox({
    title: 'New agent',
    prompt: 'A name for the agent, shown on the tasks it starts (e.g. "Claude Code")',
    validateInput: (value) => (value.trim() ? undefined : 'Give the agent a name'),
  });
  return name ? (await tokens.create(name)).identity : undefined;
}

async function pickAgentsToRotate(tokens: AgentTokens, arg: AgentArg): Promise<AgentIdentity[] | undefined> {
  const id = agentIdArg(arg);
  if (id) {
    const agent = await pickAgent(tokens, id, '', false);
    return agent ? [agent] : undefined;
  }
  const agents = tokens.list();
  if (!agents.length) {
    void vscode.window.showInformationMessage('No agent has access to Tasklane yet.');
    return undefined;
  }
  const ALL = 'All agents';
  const picked = await vscode.window.showQuickPick(
    [{ label: ALL, agent: undefined as AgentIdentity | undefined }, ...agents.map((agent) => ({ label: agent.name, description: agent.id, agent }))],
    {
      placeHolder: 'Give which agent a new token?',
    },
  );
  if (!picked) return undefined;
  return picked.agent ? [picked.agent] : agents;
}
