/**
 * The task wires this client speaks: the one file outside the wires' own folders that names them.
 * A new wire is one more line in `CLIENT_WIRES` (see "Adding a wire" in docs/architecture.md).
 */
import type { ClientWire, StreamClientWire } from './clientWire';
import { clientWireV1 } from './v1/clientWireV1';
import { clientWireV2 } from './v2/clientWireV2';

/** Most preferred first: `connectHttpServer` tries them in this order. */
export const CLIENT_WIRES = [clientWireV2, clientWireV1] as const satisfies readonly ClientWire[];

/** The wire spoken over a single stream (stdio servers, the editor's in-memory pair). */
export const STREAM_CLIENT_WIRE: StreamClientWire = clientWireV1;

/** A wire a caller may insist on. */
export type ClientWireId = (typeof CLIENT_WIRES)[number]['wire'];
