/**
 * The task wires this server speaks: the one file outside the wires' own folders that names them.
 * A new wire is one more line in `HTTP_SERVER_WIRES` (see "Adding a wire" in docs/architecture.md).
 */
import type { EngineTask, StartOptions } from '../engine/engineTask';
import type { TaskEngine } from '../engine/taskEngine';
import type { Wire } from '../wire';
import type { HttpServerWire, StreamServerWire } from './serverWire';
import type { TaskHost } from './toolCatalog';
import { serverWireV1 } from './v1/serverWireV1';
import { serverWireV2 } from './v2/serverWireV2';

/**
 * The wires on the HTTP endpoint, asked in this order whose a request is: the stateless wire
 * first, so a request that names 2026-07-28 is never taken for a 2025-11-25 `initialize`.
 */
export const HTTP_SERVER_WIRES: readonly HttpServerWire[] = [serverWireV2, serverWireV1];

/** The wire served over a single stream (stdio, the editor's in-memory pair). */
export const STREAM_SERVER_WIRE: StreamServerWire = serverWireV1;

/** Whether a task created on `wire` may run on any instance of a team (its wire can rebuild its work). */
export function runsAnywhere(wire: Wire | undefined): boolean {
  return HTTP_SERVER_WIRES.some((each) => each.wire === wire && each.claimedStartOptions !== undefined);
}

/** A task's start options rebuilt by its wire, for the instance that claimed it; undefined when its wire cannot. */
export function claimedStartOptions(host: TaskHost, engine: TaskEngine, task: EngineTask): StartOptions | undefined {
  return HTTP_SERVER_WIRES.find((each) => each.wire === task.wire)?.claimedStartOptions?.(host, engine, task);
}
