import { expect } from 'chai';
import { TooManyAttemptsError } from '../../../src/domain/errors.js';
import type { AttemptLimiter, AttemptVerdict } from '../../../src/domain/ports/attempt-limiter.js';
import { Throttle } from '../../../src/domain/rules/throttle.js';
import { rejection } from '../../support/rejection.js';

/** Refuses every attempt, saying to retry after `retryAfterMs`. */
function refusing(retryAfterMs: number): AttemptLimiter {
  return {
    hit: async (): Promise<AttemptVerdict> => ({ allowed: false, retryAfterMs }),
    reset: async () => undefined,
  };
}

describe('Throttle', () => {
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
      const throttle = new Throttle({
        requestsByAddress: limiter,
        requestsByAccountAndAddress: limiter,
        logInFailuresByAccountAndAddress: limiter,
        logInFailuresByAccount: limiter,
      });
      const refused = await rejection(throttle.admitAddress('192.0.2.1'));
      expect(refused).to.be.instanceOf(TooManyAttemptsError);
      expect((refused as TooManyAttemptsError).retryAfterSeconds, `${ms} ms`).to.equal(seconds);
    }
  });
});
