/**
 * A task wire's id, as its protocol names it (`2025-11-25`, `io.modelcontextprotocol/tasks`).
 * Wire-neutral code carries it (on a task, in a log line) and never branches on it; the wires
 * themselves are listed once per side, in `client/clientWires.ts` and `server/serverWires.ts`.
 */
export type Wire = string;
