export type AttemptVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/**
 * Counts attempts per key within a time window, atomically, in a store that every instance of the
 * service shares. One limiter enforces one limit (so many attempts per so long).
 */
export interface RateLimiter {
  /** Records one attempt for the key and says whether it was within the limit. */
  hit(key: string): Promise<AttemptVerdict>;
  /** Forgets the key's attempts. */
  reset(key: string): Promise<void>;
}
