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

/** Allows `limit` attempts per key, then refuses that key (and only it) for a minute. */
function counting(limit: number): RateLimiter {
  const hits = new Map<string, number>();
  return {
    hit: async (key: string): Promise<AttemptVerdict> => {
      const count = (hits.get(key) ?? 0) + 1;
      hits.set(key, count);
      return count <= limit ? { allowed: true } : { allowed: false, retryAfterMs: 60_000 };
    },
    reset: async (key: string) => {
      hits.delete(key);
    },
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

  it('counts wrong reset tokens towards the ceiling of their own account, apart from its log-in failures', async () => {
    const ceiling = counting(1);
    const rateLimits = new RateLimits({
      requestsByAddress: counting(100),
      requestsByAccountAndAddress: counting(100),
      logInFailuresByAccountAndAddress: counting(100),
      logInFailuresByAccount: ceiling,
    });
    await rateLimits.tokenRefused('reset', 'alice@example.com');
    // Another account's wrong token, and alice's own log-ins, have allowances of their own.
    await rateLimits.tokenRefused('reset', 'bob@example.com');
    await rateLimits.admitLogIn('alice@example.com', '192.0.2.1');
    // Wrong verification tokens too: a stranger guessing those does not use up the owner's reset allowance.
    await rateLimits.tokenRefused('verify', 'alice@example.com');
    expect(await rejection(rateLimits.tokenRefused('reset', 'alice@example.com'))).to.be.instanceOf(TooManyAttemptsError);
    expect(await rejection(rateLimits.tokenRefused('verify', 'alice@example.com'))).to.be.instanceOf(TooManyAttemptsError);
  });
});
