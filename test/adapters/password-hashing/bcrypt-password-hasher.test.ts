import { expect } from 'chai';
import bcrypt from 'bcrypt';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BcryptPasswordHasher } from '../../../src/adapters/password-hashing/bcrypt-password-hasher.js';
import { TooManyAttemptsError } from '../../../src/domain/errors.js';

describe('BcryptPasswordHasher', () => {
  it('hashes with the configured cost and verifies', async () => {
    const hasher = new BcryptPasswordHasher(6);
    const hash = await hasher.hash('correct horse');
    expect(hash).to.match(/^\$2b\$06\$/);
    expect(await hasher.verify('correct horse', hash)).to.equal(true);
    expect(await hasher.verify('wrong horse', hash)).to.equal(false);
  });

  it('asks for a new hash when the stored one has another cost, higher or lower, or cannot be read', async () => {
    const [four, five] = [new BcryptPasswordHasher(4), new BcryptPasswordHasher(5)];
    const atFour = await four.hash('a password');
    expect(four.needsRehash(atFour)).to.equal(false);
    expect(five.needsRehash(atFour), 'cost raised').to.equal(true);
    expect(four.needsRehash(await five.hash('a password')), 'cost lowered').to.equal(true);
    expect(four.needsRehash('not a bcrypt hash')).to.equal(true);
  });

  it('salts: one password never hashes the same twice', async () => {
    const hasher = new BcryptPasswordHasher(4);
    expect(await hasher.hash('same')).not.to.equal(await hasher.hash('same'));
  });

  it('runs at most `concurrency` hashes at once, queueing the rest (HASH_CONCURRENCY)', async () => {
    const original = bcrypt.hash;
    let running = 0;
    let peak = 0;
    // Counts the calls that reach bcrypt itself; the adapter is the only caller here.
    const counting = async (data: string | Buffer, saltOrRounds: string | number): Promise<string> => {
      running += 1;
      peak = Math.max(peak, running);
      try {
        return await original(data, saltOrRounds);
      } finally {
        running -= 1;
      }
    };
    Object.assign(bcrypt, { hash: counting });
    try {
      const hashes = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          new BcryptPasswordHasher(6, { concurrency: 2, maxQueuedPerClient: Number.POSITIVE_INFINITY }).hash(`p${i}`),
        ),
      );
      expect(peak, 'one hasher per call: no shared cap').to.be.greaterThan(2);
      peak = 0;
      const hasher = new BcryptPasswordHasher(6, { concurrency: 2, maxQueuedPerClient: Number.POSITIVE_INFINITY });
      await Promise.all(hashes.map((_, i) => hasher.hash(`p${i}`)));
      expect(peak).to.equal(2);
    } finally {
      Object.assign(bcrypt, { hash: original });
    }
  });

  it("keeps another client's verify within a few hash times while one address floods 100 (fair queue)", async () => {
    const hasher = new BcryptPasswordHasher(8, { concurrency: 2, maxQueuedPerClient: 20 });
    const hash = await hasher.hash('a password');
    // The hash time with both slots busy, as during the flood: the median of 5 pairs.
    const pairs: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      await Promise.all([hasher.verify('a guess', hash, { client: 'warm-up 1' }), hasher.verify('a guess', hash, { client: 'warm-up 2' })]);
      pairs.push(performance.now() - started);
    }
    const hashMs = pairs.sort((a, b) => a - b)[2] ?? 0;

    // A bound of 20, not the default 4: a FIFO would then keep the other client waiting about 11 hash
    // times (22 accepted ahead of it on 2 slots), so that only fairness keeps its wait short.
    let refused = 0;
    const flood = Array.from({ length: 100 }, (_, i) =>
      hasher.verify(`guess ${i}`, hash, { client: '203.0.113.7' }).catch((error: unknown) => {
        if (!(error instanceof TooManyAttemptsError)) throw error;
        refused += 1;
        return undefined;
      }),
    );
    const started = performance.now();
    expect(await hasher.verify('a password', hash, { client: '198.51.100.20' })).to.equal(true);
    const otherMs = performance.now() - started;
    const floodVerdicts = await Promise.all(flood);
    // 23 hashes on 2 slots: the hash time during the flood, should the machine have got busier meanwhile.
    const floodHashMs = (performance.now() - started) / 11.5;
    const referenceMs = Math.max(hashMs, floodHashMs);

    console.log(
      `      hash at cost 8 (2 at once): ${hashMs.toFixed(1)} ms before, ${floodHashMs.toFixed(1)} ms during the flood; ` +
        `another client's verify during the flood: ${otherMs.toFixed(1)} ms (${(otherMs / referenceMs).toFixed(1)}×); ${refused} of 100 refused`,
    );
    // It waits for one of the flood's running hashes at most, then takes the next slot: about 2 hash times.
    expect(otherMs, `another client's verify (ms), against a hash time of ${referenceMs.toFixed(1)} ms`).to.be.at.most(4 * referenceMs + 5);
    expect(refused, '2 running and 20 waiting accepted').to.equal(78);
    expect(floodVerdicts.filter((verdict) => verdict === false)).to.have.length(22);
  });

  it('keeps the event loop free while hashing at the production cost', async () => {
    const hasher = new BcryptPasswordHasher(12);
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const started = process.hrtime.bigint();
    await Promise.all([hasher.hash('a password'), hasher.hash('another one')]);
    const hashingMs = Number(process.hrtime.bigint() - started) / 1e6;
    histogram.disable();
    const worstStallMs = histogram.max / 1e6;
    // A synchronous hash would stall the loop for the whole hashing time (hundreds of ms at cost 12).
    expect(hashingMs).to.be.greaterThan(100);
    expect(worstStallMs).to.be.lessThan(hashingMs / 4);
  });
});
