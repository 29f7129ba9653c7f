/**
 * Where the HiringCenter API key comes from. The client asks for it on every request (cheap: cached) and calls
 * `refreshApiKey()` once after a 401/403, so a rotated secret is picked up without a cold start.
 */
export interface ApiKeyProvider {
  getApiKey(): Promise<string>;
  /** Drop any cached key and read it again. Resolves to the fresh key. */
  refreshApiKey(): Promise<string>;
}

/**
 * `keys`, telling `notice` each key it hands out (before the caller sees it), so that a logger can mask the exact key
 * in every later line, whatever spelling of it a message quotes.
 */
export function noticingKeys(keys: ApiKeyProvider, notice: (key: string) => void): ApiKeyProvider {
  const noticed = (key: string): string => {
    notice(key);
    return key;
  };
  return {
    getApiKey: async () => noticed(await keys.getApiKey()),
    refreshApiKey: async () => noticed(await keys.refreshApiKey()),
  };
}
