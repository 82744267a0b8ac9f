/**
 * What a captured message may keep: secrets replaced before anything is stored, and long string
 * values cut with a note of their full size, so a wire log stays bounded and safe to export.
 */

export const REDACTED = '<redacted>';

/** Key names whose values are secrets, compared without case, `-` or `_`. */
const SECRET_KEYS = new Set([
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'bearertoken',
  'authtoken',
  'apitoken',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'apikey',
  'authorization',
  'proxyauthorization',
  'cookie',
]);
/** Key ends that make a value secret (`githubToken`, `dbPassword`, `x-api-key`), except names the protocol uses for other things. */
const SECRET_ENDS = ['token', 'password', 'secret', 'apikey', 'authorization'];
const NOT_SECRET = new Set(['progresstoken']);

export function isSecretKey(key: string): boolean {
  const plain = key.toLowerCase().replace(/[-_]/g, '');
  if (NOT_SECRET.has(plain)) return false;
  return SECRET_KEYS.has(plain) || SECRET_ENDS.some((end) => plain.endsWith(end));
}

export interface KeepOptions {
  /** Values that are secret wherever they appear (mcp.json inputs declared `"password": true`, a bearer token). */
  readonly secretValues: readonly string[];
  /** A string longer than this (in characters) is cut to it. */
  readonly maxStringChars: number;
}

export interface KeptMessage {
  readonly message: unknown;
  /** Whether any value was cut. */
  readonly cut: boolean;
}

/** A copy of `message` with secrets replaced and long strings cut; the input is not changed. */
export function keepMessage(message: unknown, options: KeepOptions): KeptMessage {
  // Short values could match ordinary text by chance; a secret that short protects little anyway.
  const secrets = options.secretValues.filter((value) => value.length >= 4);
  let cut = false;
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') {
      let text = value;
      for (const secret of secrets) if (text.includes(secret)) text = text.split(secret).join(REDACTED);
      if (text.length <= options.maxStringChars) return text;
      cut = true;
      return `${text.slice(0, options.maxStringChars)}… [cut: ${Buffer.byteLength(text)} bytes in all]`;
    }
    if (Array.isArray(value)) return value.map(visit);
    if (value !== null && typeof value === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) copy[key] = isSecretKey(key) && inner !== null && inner !== undefined ? REDACTED : visit(inner);
      return copy;
    }
    return value;
  };
  return { message: visit(message), cut };
}

/** The HTTP headers a wire log keeps, by their lower-case names. */
export const WIRE_HEADERS = ['mcp-method', 'mcp-name', 'mcp-protocol-version', 'mcp-session-id', 'content-type', 'authorization'] as const;

/** The relevant headers only, with their usual spelling; `Authorization` keeps its scheme, never its value. */
export function keptHeaders(lookup: (name: string) => string | null | undefined, secretValues: readonly string[] = []): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of WIRE_HEADERS) {
    const value = lookup(name);
    if (value === null || value === undefined) continue;
    const shown = HEADER_SPELLING[name];
    if (name === 'authorization') kept[shown] = /^bearer\s/i.test(value) ? `Bearer ${REDACTED}` : REDACTED;
    else kept[shown] = secretValues.some((secret) => secret.length >= 4 && value.includes(secret)) ? REDACTED : value;
  }
  return kept;
}

const HEADER_SPELLING: Record<(typeof WIRE_HEADERS)[number], string> = {
  'mcp-method': 'Mcp-Method',
  'mcp-name': 'Mcp-Name',
  'mcp-protocol-version': 'MCP-Protocol-Version',
  'mcp-session-id': 'Mcp-Session-Id',
  'content-type': 'Content-Type',
  authorization: 'Authorization',
};
