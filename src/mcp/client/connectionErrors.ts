/** How a failed connection attempt says whether retrying can help. */

/** An error that retrying cannot fix: the supervisor goes to `failed` at once. */
export class PermanentConnectError extends Error {
  override readonly name = 'PermanentConnectError';
  readonly permanent = true;
}

export function isPermanent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
