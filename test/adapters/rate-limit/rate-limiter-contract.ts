import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimit } from '../../../src/adapters/stores/store.js';
import type { RateLimiter } from '../../../src/domain/ports/rate-limiter.js';

/** Makes a limiter counting in the store under test; every call gets a limit of its own name. */
export type LimiterFactory = (limit: Omit<RateLimit, 'name'>) => RateLimiter;

/** What the rate limiting rules rely on from a limiter, whichever store it counts in. */
export function describeRateLimiterContract(storeName: string, makeLimiter: () => LimiterFactory): void {
  describe(`rate limiter contract: ${storeName}`, function () {
    this.timeout(30_000);

    it('allows the limit, then refuses with the time left in the window', async () => {
      const limiter = makeLimiter()({ attempts: 3, windowSeconds: 60 });
      for (let i = 0; i < 3; i += 1) expect(await limiter.hit('k')).to.deep.equal({ allowed: true });
      const refused = await limiter.hit('k');
      expect(refused.allowed).to.equal(false);
      if (!refused.allowed) expect(refused.retryAfterMs).to.be.within(50_000, 60_000);
    });

    it('counts each key on its own', async () => {
      const limiter = makeLimiter()({ attempts: 1, windowSeconds: 60 });
      expect((await limiter.hit('a')).allowed).to.equal(true);
      expect((await limiter.hit('b')).allowed).to.equal(true);
      expect((await limiter.hit('a')).allowed).to.equal(false);
    });

    it('counts a key as long as the longest email and an IPv6 address make', async () => {
      // Keys hold an email address (up to 254 characters once normalised) and a client address.
      const limiter = makeLimiter()({ attempts: 1, windowSeconds: 60 });
      const key = `${'a'.repeat(64)}@${'b'.repeat(185)}.com|ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`;
      expect((await limiter.hit(key)).allowed).to.equal(true);
      expect((await limiter.hit(key)).allowed).to.equal(false);
      expect((await limiter.hit(key.slice(1))).allowed, 'a key one character shorter is another key').to.equal(true);
    });

    it('counts a key of any length, such as one holding a forwarded address a client wrote', async () => {
      // X-Forwarded-For is the client's to write where TRUST_PROXY_HOPS counts more proxies than there are;
      // a header may be 16 KiB. PostgreSQL cannot index a text over about 2,700 bytes.
      const limiter = makeLimiter()({ attempts: 1, windowSeconds: 60 });
      // Random, so that no compression brings it under the limit.
      const key = `alice@example.com|${randomBytes(8000).toString('hex')}`;
      expect((await limiter.hit(key)).allowed).to.equal(true);
      expect((await limiter.hit(key)).allowed).to.equal(false);
      expect((await limiter.hit(`${key}0`)).allowed, 'a longer key is another key').to.equal(true);
      await limiter.reset(key);
      expect((await limiter.hit(key)).allowed, 'and it can be reset').to.equal(true);
    });

    it('forgets a key on reset', async () => {
      const limiter = makeLimiter()({ attempts: 2, windowSeconds: 60 });
      await limiter.hit('k');
      await limiter.hit('k');
      expect((await limiter.hit('k')).allowed).to.equal(false);
      await limiter.reset('k');
      expect((await limiter.hit('k')).allowed).to.equal(true);
      await limiter.reset('never-hit');
    });

    it('allows exactly the limit of 30 parallel attempts', async () => {
      const limiter = makeLimiter()({ attempts: 5, windowSeconds: 60 });
      const key = randomUUID();
      const verdicts = await Promise.all(Array.from({ length: 30 }, () => limiter.hit(key)));
      expect(verdicts.filter((verdict) => verdict.allowed)).to.have.length(5);
    });

    it('allows again once the window is over: rate limiting, not a lock-out', async () => {
      const limiter = makeLimiter()({ attempts: 1, windowSeconds: 1 });
      await limiter.hit('k');
      expect((await limiter.hit('k')).allowed).to.equal(false);
      await sleep(1100);
      expect((await limiter.hit('k')).allowed).to.equal(true);
    });
  });
}
