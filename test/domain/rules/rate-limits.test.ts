import { expect } from 'chai';
import { TooManyAttemptsError } from '../../../src/domain/errors.js';
import type { RateLimiter, AttemptVerdict } from '../../../src/domain/ports/rate-limiter.js';
import { RateLimits } from '../../../src/domain/rules/rate-limits.js';
import { rejection } from '../../support/rejection.js';

/** Refuses every attempt, saying to retry after `retryAfterMs`. */
function refusing(retryAfterMs: number): RateLimiter {
  return {
    hit: async (): Promise<AttemptVerdict> => ({ allowed: false, retryAfterMs }),
    reset: async () => undefined,
  };
}

describe('RateLimits', () => {
  it('rounds Retry-After up to whole seconds, and never below one', async () => {
    for (const [ms, seconds] of [
      [0, 1],
      [1, 1],
      [999, 1],
      [1000, 1],
      [1001, 2],
      [899_500, 900],
    ] as const) {
      const limiter = refusing(ms);
      const rateLimits = new RateLimits({
        requestsByAddress: limiter,
        requestsByAccountAndAddress: limiter,
        logInFailuresByAccountAndAddress: limiter,
        logInFailuresByAccount: limiter,
      });
      const refused = await rejection(rateLimits.admitAddress('192.0.2.1'));
      expect(refused).to.be.instanceOf(TooManyAttemptsError);
      expect((refused as TooManyAttemptsError).retryAfterSeconds, `${ms} ms`).to.equal(seconds);
    }
  });
});
