import { expect } from 'chai';
import { InMemorySessionRepository } from '../../../../src/adapters/stores/memory/in-memory-session-repository.js';
import { InMemoryUserRepository } from '../../../../src/adapters/stores/memory/in-memory-user-repository.js';
import { sessionRecord, userRecord } from '../../../support/records.js';
import { describeRepositoryContract } from '../store-contract.js';

describeRepositoryContract('in-memory', async () => ({
  users: new InMemoryUserRepository(),
  sessions: new InMemorySessionRepository(),
}));

describe('InMemorySessionRepository', () => {
  it('evicts expired sessions as new ones arrive, so memory does not grow without bound', async () => {
    const sessions = new InMemorySessionRepository();
    const start = Date.parse('2026-01-01T00:00:00Z');
    const session = (n: number, createdAt: number) => sessionRecord(`s${n}`, `u${n % 7}`, new Date(createdAt), new Date(createdAt + 1000));
    for (let n = 0; n < 500; n += 1) await sessions.add(session(n, start), 100);
    await sessions.add(session(500, start + 1000), 100);
    for (let n = 0; n < 500; n += 1) expect(await sessions.findById(`s${n}`)).to.equal(null);
    expect(await sessions.findById('s500')).not.to.equal(null);
    // The per-user index was cleaned as well.
    expect(await sessions.deleteAllForUser('u4')).to.equal(0);
  });

  it('stores frozen copies, so neither the caller of add nor a reader can change what is stored', async () => {
    const users = new InMemoryUserRepository();
    const sessions = new InMemorySessionRepository();
    const now = new Date();
    // A copy the test may change after handing it over.
    const user = { ...userRecord('u1', 'a@example.com', now) };
    await users.add(user);
    user.email = 'changed-after-add@example.com';
    const found = await users.findById('u1');
    expect(() => ((found as { email: string }).email = 'changed@example.com')).to.throw(TypeError);
    expect((await users.findByEmail('a@example.com'))?.email).to.equal('a@example.com');
    const updated = await users.setResetToken('a@example.com', 'digest', now, now);
    expect(Object.isFrozen(updated)).to.equal(true);

    const session = { ...sessionRecord('s1', 'u1', now, now) };
    await sessions.add(session, 100);
    session.userId = 'someone-else';
    const stored = await sessions.findById('s1');
    expect(stored?.userId).to.equal('u1');
    expect(() => ((stored as { userId: string }).userId = 'x')).to.throw(TypeError);
  });
});
