/**
 * A value built on first use and kept: what a Lambda builds only when an invocation needs it (zod schemas, the step's
 * collaborators), so that neither a cold start nor a bundle that never calls it pays for it.
 */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
