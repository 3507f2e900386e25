import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { StoreUnavailableError } from '../../domain/errors.js';
import type { RateLimiter, AttemptVerdict } from '../../domain/ports/rate-limiter.js';
import type { RateLimit } from '../stores/store.js';

/**
 * Keys longer than this are counted under their SHA-256 digest instead. A key holds an email address and
 * a client address, and the latter may be what a client wrote in X-Forwarded-For where TRUST_PROXY_HOPS
 * counts more proxies than there are: up to a header's 16 KiB, past what a database index takes
 * (PostgreSQL: about 2,700 bytes). 512 characters are at most 2,048 bytes, and hold every honest key.
 */
const MAX_KEY_LENGTH = 512;

function storedKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? key : `sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

/**
 * A RateLimiter on rate-limiter-flexible, whichever store its limiter counts in (memory, MongoDB).
 * The library counts atomically: of many parallel attempts, exactly `attempts` are allowed per window.
 */
export class FlexibleRateLimiter implements RateLimiter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async hit(key: string): Promise<AttemptVerdict> {
    try {
      await this.limiter.consume(storedKey(key));
      return { allowed: true };
    } catch (rejection) {
      // The library rejects with a RateLimiterRes when over the limit, and with an Error when its store fails.
      if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: rejection.msBeforeNext };
      throw new StoreUnavailableError({ cause: rejection });
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await this.limiter.delete(storedKey(key));
    } catch (error) {
      throw new StoreUnavailableError({ cause: error });
    }
  }
}

export function memoryRateLimiter(limit: RateLimit): FlexibleRateLimiter {
  return new FlexibleRateLimiter(new RateLimiterMemory({ keyPrefix: limit.name, points: limit.attempts, duration: limit.windowSeconds }));
}

/** For RATE_LIMIT=off (load tests, trusted networks): every attempt is allowed and nothing is counted. */
export class UnlimitedRateLimiter implements RateLimiter {
  async hit(): Promise<AttemptVerdict> {
    return { allowed: true };
  }

  async reset(): Promise<void> {}
}
