import { createHash, timingSafeEqual } from 'node:crypto';

/** An agent the user let in: a stable id (its principal) and the name it was given. */
export interface AgentIdentity {
  readonly id: string;
  readonly name: string;
}

/** The principal prefix of agents' tasks on the embedded engine; the editor's own tasks are owned by `editor`. */
const AGENT_PRINCIPAL_PREFIX = 'agent:';

export function agentPrincipal(agentId: string): string {
  return AGENT_PRINCIPAL_PREFIX + agentId;
}

/** The agent id a task owner names, when the owner is an agent's principal. */
export function agentIdOf(principal: string): string | undefined {
  return principal.startsWith(AGENT_PRINCIPAL_PREFIX) ? principal.slice(AGENT_PRINCIPAL_PREFIX.length) : undefined;
}

/**
 * Which token belongs to which agent, in memory: the HTTP server asks it who a request is.
 * Tokens are compared as SHA-256 digests with a constant-time compare, against every agent, so
 * neither the time taken nor an early exit tells a caller how close a guess was.
 */
export class AgentCredentials {
  private readonly byId = new Map<string, { identity: AgentIdentity; digest: Buffer }>();

  set(identity: AgentIdentity, token: string): void {
    this.byId.set(identity.id, { identity, digest: digest(token) });
  }

  delete(agentId: string): boolean {
    return this.byId.delete(agentId);
  }

  identity(agentId: string): AgentIdentity | undefined {
    return this.byId.get(agentId)?.identity;
  }

  list(): AgentIdentity[] {
    return [...this.byId.values()].map((entry) => entry.identity);
  }

  /** The principal (`agent:<id>`) a bearer token stands for, or undefined for an unknown or revoked token. */
  readonly authenticate = (token: string): string | undefined => {
    const given = digest(token);
    let found: string | undefined;
    for (const entry of this.byId.values()) {
      if (timingSafeEqual(given, entry.digest) && found === undefined) found = agentPrincipal(entry.identity.id);
    }
    return found;
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
