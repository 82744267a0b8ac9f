/** The id under which the embedded task server is registered with the task service. */
export const EMBEDDED_SERVER_ID = 'tasklane';

/**
 * The one name of the embedded server, wherever a person reads it: the Servers view, Group by
 * Server, New Task's server pick, search results, tooltips, settings and chat's MCP server list.
 * (A file of its own, free of the SDK, so settings can name it.)
 */
export const EMBEDDED_SERVER_NAME = 'Tasklane (this editor)';
