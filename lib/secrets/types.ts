/**
 * Where the HiringCenter API key comes from. The client asks for it on every request (cheap: cached) and calls
 * `refreshApiKey()` once after a 401/403, so a rotated secret is picked up without a cold start.
 */
export interface ApiKeyProvider {
  getApiKey(): Promise<string>;
  /** Drop any cached key and read it again. Resolves to the fresh key. */
  refreshApiKey(): Promise<string>;
}
