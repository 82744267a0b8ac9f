import type { z } from 'zod';
import { article, closestMatch } from '../../core/text';

/** A problem in the servers' configuration, in plain words, naming where it is. */
export interface ConfigProblem {
  /** A file path or `Settings`. */
  readonly origin: string;
  /** The field, as a path a person can find: `servers.github.url`, `tasklane.servers[2].command`. */
  readonly field: string;
  readonly message: string;
  /** Set when the problem belongs to one server entry (the others are unaffected). */
  readonly serverId?: string;
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.origin}: ${problem.field}: ${problem.message}`;
}

/**
 * A zod validation error as problems a person can act on: each names its field under `base`;
 * an unknown field gets a "did you mean" from `knownFields` (or the list of them).
 */
export function zodProblems(error: z.ZodError, origin: string, base: string, knownFields?: readonly string[], serverId?: string): ConfigProblem[] {
  return error.issues
    .map((issue) => {
      const field = base + issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
      let message = issue.message;
      if (issue.code === 'invalid_type') {
        const received = /received (\w+)/.exec(issue.message)?.[1];
        message =
          received === 'undefined' ? `is required (${issue.expected})` : `must be ${typeName(issue.expected)}${received ? `, not ${typeName(received)}` : ''}`;
      } else if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => {
          const guess = knownFields ? closestMatch(key, knownFields) : undefined;
          return {
            origin,
            field: `${field}.${key}`,
            message: `is not a known field${guess ? ` (did you mean "${guess}"?)` : knownFields ? ` (known: ${knownFields.join(', ')})` : ''}`,
            ...(serverId ? { serverId } : {}),
          };
        });
      } else if (issue.code === 'invalid_value' && 'values' in issue) {
        message = `must be one of ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      }
      return [{ origin, field, message, ...(serverId ? { serverId } : {}) }];
    })
    .flat();
}

/** A zod type name as a person says it, with its article: a zod "record" is a JSON object. */
function typeName(type: string): string {
  return article(type === 'record' ? 'object' : type);
}
