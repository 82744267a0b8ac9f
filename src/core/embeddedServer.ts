/** The id under which the embedded task server is registered with the task service. */
export const EMBEDDED_SERVER_ID = 'tasklane';

/**
 * The one name of the embedded server, wherever a person reads it: the Servers view, Group by
 * Server, New Task's server pick, search results, tooltips, settings and chat's MCP server list.
 * (A file of its own, free of the SDK, so settings can name it.)
 */
export const EMBEDDED_SERVER_NAME = 'Tasklane (this editor)';

/** A server's name where only its id is at hand (the detail page): the embedded server's name, else the id. */
export function serverNameOf(serverId: string): string {
  return serverId === EMBEDDED_SERVER_ID ? EMBEDDED_SERVER_NAME : serverId;
}
