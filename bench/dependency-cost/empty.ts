// bench/dependency-cost.ts: a handler that loads nothing. Every other variant's cost is measured against this one.
export const handler = async (): Promise<{ ok: true }> => ({ ok: true });
