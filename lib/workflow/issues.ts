import type * as z from 'zod/mini';
import { InputInvalidError, type InputIssue } from '../errors.ts';
import { fieldName } from './limits.ts';

/** Old field names from earlier API generations that users still copy from old docs. */
export const RENAMED_FIELDS: Record<string, string> = {
  assignTo: 'assignedTo',
  due: 'dueAt',
  note: 'body',
  owner: 'ownerId',
  date: 'meetingDate',
  timezone: 'timeZone',
  type: 'meetingType',
};

type Issue = z.core.$ZodIssue;

/**
 * zod/mini ships no message locale (that is most of its size saving), so messages are written here, once, from the
 * issue codes. They name the field and the fix and never echo the value (it may be an email or a phone number).
 */
export function describeIssue(
  issue: Issue,
  raw: unknown,
  allowedKeys?: (path: PropertyKey[]) => readonly string[] | undefined,
): InputIssue[] {
  const path = issue.path.map(String).join('.');
  // zod drops `issue.input` unless asked to report values (which we never do: they may be PII), so look it up.
  const missing = valueAt(raw, issue.path) === undefined;
  if (issue.message && issue.message !== 'Invalid input') return [{ path, message: issue.message }];
  switch (issue.code) {
    case 'invalid_type':
      return [{ path, message: missing ? `is required (${expectedName(issue.expected)})` : `must be ${article(expectedName(issue.expected))}` }];
    case 'too_small':
      return [{ path, message: issue.origin === 'string' ? (Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`) : issue.origin === 'array' ? `must have at least ${issue.minimum} item(s)` : `must be at least ${issue.minimum}` }];
    case 'too_big':
      return [{ path, message: issue.origin === 'string' ? `must be at most ${issue.maximum} characters` : issue.origin === 'array' ? `must have at most ${issue.maximum} items` : `must be at most ${issue.maximum}` }];
    case 'invalid_format':
      return [{ path, message: issue.format === 'email' ? 'must be a valid email address, like name@example.com' : issue.format === 'url' ? 'must be an https:// URL' : `has an invalid ${issue.format} format` }];
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const renamed = Object.hasOwn(RENAMED_FIELDS, key) ? RENAMED_FIELDS[key] : undefined;
        const allowed = allowedKeys?.(issue.path);
        const hint = renamed && allowed?.includes(renamed) ? ` (did you mean "${renamed}"? it was renamed in API v2)` : allowed ? ` (allowed: ${allowed.join(', ')})` : '';
        return { path: path ? `${path}.${fieldName(key)}` : fieldName(key), message: `unknown field${hint}` };
      });
    case 'invalid_value':
      return [{ path, message: `must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
    case 'invalid_union':
      return [{ path, message: missing ? 'is required' : 'has an unsupported type or format' }];
    default:
      return [{ path, message: 'is invalid' }];
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function expectedName(expected: string): string {
  return expected === 'int' ? 'integer' : expected;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

export function toInputInvalid(
  error: z.core.$ZodError,
  raw: unknown,
  subject: string,
  allowedKeys?: (path: PropertyKey[]) => readonly string[] | undefined,
  pathPrefix = '',
): InputInvalidError {
  const issues = error.issues
    .flatMap((issue) => describeIssue(issue, raw, allowedKeys))
    .map((issue) => ({ ...issue, path: pathPrefix && issue.path ? `${pathPrefix}.${issue.path}` : pathPrefix || issue.path }));
  return new InputInvalidError(issues, subject);
}
