import { expect } from 'chai';
import bcrypt from 'bcrypt';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BcryptPasswordHasher } from '../../src/adapters/bcrypt/bcrypt-password-hasher.js';

describe('BcryptPasswordHasher', () => {
  it('hashes with the configured cost and verifies', async () => {
    const hasher = new BcryptPasswordHasher(6);
    const hash = await hasher.hash('correct horse');
    expect(hash).to.match(/^\$2b\$06\$/);
    expect(await hasher.verify('correct horse', hash)).to.equal(true);
    expect(await hasher.verify('wrong horse', hash)).to.equal(false);
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
      const hashes = await Promise.all(Array.from({ length: 8 }, (_, i) => new BcryptPasswordHasher(6, 2).hash(`p${i}`)));
      expect(peak, 'one hasher per call: no shared cap').to.be.greaterThan(2);
      peak = 0;
      const hasher = new BcryptPasswordHasher(6, 2);
      await Promise.all(hashes.map((_, i) => hasher.hash(`p${i}`)));
      expect(peak).to.equal(2);
    } finally {
      Object.assign(bcrypt, { hash: original });
    }
  });

  it('keeps the event loop free while hashing at the production cost (rule 2)', async () => {
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
