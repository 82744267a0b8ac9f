/**
 * Custom `Mcp-Param-*` headers (SEP-2243). A tool may mark a top-level argument with
 * `"x-mcp-header": "Name"` in its input schema; the client then repeats that argument in the
 * `Mcp-Param-Name` header, so a gateway can route on it without reading the body. The server
 * must hold the two together: when the argument is in the body, the header must be there too,
 * decode (the Base64 sentinel, strictly) and equal the argument, else the request is refused
 * with -32020 (HTTP 400) before anything runs.
 */
import type * as http from 'node:http';
import { decodeHeaderValue } from '../../wires/v2/protocol';

/** One argument a tool mirrors in a header. */
export interface CustomHeader {
  /** The argument's name in `params.arguments`. */
  readonly param: string;
  /** The header is `Mcp-Param-<header>`. */
  readonly header: string;
}

/** The custom headers a tool declares, read from its listed input schema. */
export function customHeadersOf(inputSchema: { readonly properties?: unknown }): CustomHeader[] {
  const properties = inputSchema.properties;
  if (!properties || typeof properties !== 'object') return [];
  return Object.entries(properties as Record<string, unknown>).flatMap(([param, schema]) => {
    const header = (schema as Record<string, unknown> | null)?.['x-mcp-header'];
    return typeof header === 'string' && header !== '' ? [{ param, header }] : [];
  });
}

/** Why the request's custom headers do not mirror its arguments, or undefined when they do. */
export function customHeaderMismatch(headers: http.IncomingHttpHeaders, declared: readonly CustomHeader[], args: unknown): string | undefined {
  const values = args && typeof args === 'object' ? (args as Record<string, unknown>) : {};
  for (const { param, header } of declared) {
    const value = values[param];
    if (value === undefined || value === null || typeof value === 'object') continue; // only primitive arguments are mirrored
    const name = `Mcp-Param-${header}`;
    const raw = headers[name.toLowerCase()];
    const given = Array.isArray(raw) ? raw[0] : raw;
    if (given === undefined) return `the ${name} header is required: arguments.${param} is in the body`;
    const decoded = decodeHeaderValue(given.trim());
    if (decoded === undefined) return `${name} has a malformed =?base64?…?= value`;
    if (decoded !== String(value)) return `${name} does not match arguments.${param}`;
  }
  return undefined;
}
