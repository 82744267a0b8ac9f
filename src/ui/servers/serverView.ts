import type { Event } from '../../core/events';
import type { ServerSource } from '../../mcp/client/serverConfig';
import type { SupervisorSnapshot } from '../../mcp/client/serverSupervisor';

/** What the Servers view shows of one configured external server. */
export interface ExternalServerView extends SupervisorSnapshot {
  readonly source: ServerSource;
  /** The file or setting that declares it. */
  readonly origin: string;
  /** The command line or URL as configured (variables unresolved, so no secret shows). */
  readonly target: string;
  /** The configuration is invalid: the server is listed but never started. */
  readonly invalid?: boolean;
  /** A bearer token is stored for it (HTTP). */
  readonly hasToken?: boolean;
}

/** The configured external servers, in configuration order, and when they change. */
export interface ExternalServers {
  list(): ExternalServerView[];
  readonly onDidChange: Event<void>;
}
