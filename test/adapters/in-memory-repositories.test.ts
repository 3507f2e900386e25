import { expect } from 'chai';
import { InMemorySessionRepository } from '../../src/adapters/memory/in-memory-session-repository.js';
import { InMemoryUserRepository } from '../../src/adapters/memory/in-memory-user-repository.js';
import { describeRepositoryContract } from '../contract/repository-contract.js';

describeRepositoryContract('in-memory', async () => ({
  users: new InMemoryUserRepository(),
  sessions: new InMemorySessionRepository(),
}));

describe('InMemorySessionRepository', () => {
  it('evicts expired sessions as new ones arrive, so memory does not grow without bound', async () => {
    const sessions = new InMemorySessionRepository();
    const start = Date.parse('2026-01-01T00:00:00Z');
    const session = (n: number, createdAt: number) => ({
      id: `s${n}`,
      userId: `u${n % 7}`,
      createdAt: new Date(createdAt),
      expiresAt: new Date(createdAt + 1000),
    });
    for (let n = 0; n < 500; n += 1) await sessions.add(session(n, start));
    await sessions.add(session(500, start + 1000));
    for (let n = 0; n < 500; n += 1) expect(await sessions.findById(`s${n}`)).to.equal(null);
    expect(await sessions.findById('s500')).not.to.equal(null);
    // The per-user index was cleaned as well.
    expect(await sessions.deleteAllForUser('u4')).to.equal(0);
  });

  it('hands out copies, so callers cannot change what is stored', async () => {
    const users = new InMemoryUserRepository();
    const now = new Date();
    const user = { id: 'u1', email: 'a@example.com', passwordHash: 'h', resetTokenHash: null, resetTokenExpiresAt: null, passwordChangedAt: now, createdAt: now, updatedAt: now };
    await users.add(user);
    const found = await users.findById('u1');
    (found as { email: string }).email = 'changed@example.com';
    expect((await users.findById('u1'))?.email).to.equal('a@example.com');
  });
});
