import { expect } from 'chai';
import { TOKENS } from '../../../src/app/tokens.js';
import { LAST_SEEN_INTERVAL_MS } from '../../../src/app/use-cases.js';
import { InvalidSessionError } from '../../../src/domain/errors.js';
import type { SessionRepository } from '../../../src/domain/ports/session-repository.js';
import { digestToken } from '../../../src/domain/rules/secret-token.js';
import { DAY, MINUTE, SECOND } from '../../support/manual-clock.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore, type FixtureOptions } from '../../support/use-case-fixture.js';

describeUseCasesForEachStore('session lifetimes', (useCaseFixture) => {
  async function loggedIn(options: FixtureOptions = {}) {
    const fixture = await useCaseFixture(options);
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const stored = async () => fixture.sessions.findById(digestToken(sessionToken));
    return { ...fixture, sessionToken, stored };
  }

  it('refuses a session left unused for SESSION_IDLE_TTL, however young, like an unknown one', async () => {
    const fixture = await loggedIn({ env: { SESSION_IDLE_TTL: '30m' } });
    fixture.clock.advance(30 * MINUTE - SECOND);
    expect(await fixture.getProfile.execute({ sessionToken: fixture.sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
    // Used at 29:59: it lives another 30 minutes from then.
    fixture.clock.advance(30 * MINUTE - SECOND);
    expect(await fixture.getProfile.execute({ sessionToken: fixture.sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
    fixture.clock.advance(30 * MINUTE);
    const idle = await rejection(fixture.getProfile.execute({ sessionToken: fixture.sessionToken }));
    expect(idle).to.be.instanceOf(InvalidSessionError);
    expect(idle.message).to.equal((await rejection(fixture.getProfile.execute({ sessionToken: 'unknown' }))).message);
    expect(await rejection(fixture.logOut.execute({ sessionToken: fixture.sessionToken })), 'nor can it log out').to.be.instanceOf(
      InvalidSessionError,
    );
  });

  it('ends a session SESSION_TTL after the log-in however much it is used: the idle timeout never extends it', async () => {
    const fixture = await loggedIn({ env: { SESSION_TTL: '2h', SESSION_IDLE_TTL: '1h' } });
    for (let i = 0; i < 4; i += 1) {
      fixture.clock.advance(30 * MINUTE - (i === 3 ? SECOND : 0));
      expect(await fixture.getProfile.execute({ sessionToken: fixture.sessionToken })).to.deep.equal({
        email: EMAIL,
        emailVerified: false,
      });
    }
    fixture.clock.advance(SECOND);
    expect(await rejection(fixture.getProfile.execute({ sessionToken: fixture.sessionToken }))).to.be.instanceOf(InvalidSessionError);
  });

  it('records the last use at most once a minute per session, as one write', async () => {
    let writes = 0;
    let attempts = 0;
    const fixture = await loggedIn({
      configure: (container) => {
        const inner = container.get(TOKENS.SessionRepository);
        const counting: SessionRepository = Object.assign(Object.create(inner) as SessionRepository, {
          recordSeen: async (id: string, seenAt: Date, unseenSince: Date) => {
            attempts += 1;
            const wrote = await inner.recordSeen(id, seenAt, unseenSince);
            if (wrote) writes += 1;
            return wrote;
          },
        });
        container.rebind(TOKENS.SessionRepository).toConstantValue(counting);
      },
    });
    const loggedInAt = fixture.clock.now();
    for (let i = 0; i < 20; i += 1) {
      fixture.clock.advance(2 * SECOND);
      await fixture.getProfile.execute({ sessionToken: fixture.sessionToken });
    }
    expect(attempts, '40 s of use: within the interval, no write even tried').to.equal(0);
    expect((await fixture.stored())?.lastSeenAt).to.deep.equal(loggedInAt);
    fixture.clock.advance(LAST_SEEN_INTERVAL_MS - 40 * SECOND);
    await Promise.all(Array.from({ length: 10 }, () => fixture.getProfile.execute({ sessionToken: fixture.sessionToken })));
    expect(writes, 'ten concurrent requests, one write').to.equal(1);
    // Each that read the session before the first write tries the conditional write; only one succeeds.
    expect(attempts).to.be.within(1, 10);
    expect((await fixture.stored())?.lastSeenAt).to.deep.equal(fixture.clock.now());
  });

  it('counts only requests that succeed as use: a refused one records nothing, and does not keep the session alive', async () => {
    const fixture = await loggedIn({ env: { SESSION_IDLE_TTL: '10m' } });
    const loggedInAt = fixture.clock.now();
    for (let i = 0; i < 3; i += 1) {
      fixture.clock.advance(4 * MINUTE);
      await rejection(fixture.endSession.execute({ sessionToken: fixture.sessionToken, sessionId: 'not-a-handle' }));
      await rejection(
        fixture.changePassword.execute({
          sessionToken: fixture.sessionToken,
          currentPassword: PASSWORD,
          newPassword: 'short',
          clientAddress: ADDRESS,
        }),
      );
      await rejection(fixture.deleteAccount.execute({ sessionToken: fixture.sessionToken, password: 'wrong', clientAddress: ADDRESS }));
      expect((await fixture.stored())?.lastSeenAt).to.deep.equal(loggedInAt);
    }
    // 12 minutes of refused requests: idle since the log-in.
    expect(await rejection(fixture.getProfile.execute({ sessionToken: fixture.sessionToken }))).to.be.instanceOf(InvalidSessionError);
  });

  it('counts listing, ending another session and ending the others as use of the session making them', async () => {
    const fixture = await loggedIn();
    const other = async () => (await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).sessionToken;
    const uses = [
      () => fixture.listSessions.execute({ sessionToken: fixture.sessionToken }),
      async () => {
        const token = await other();
        const [newest] = await fixture.listSessions.execute({ sessionToken: token });
        fixture.clock.advance(2 * MINUTE);
        await fixture.endSession.execute({ sessionToken: fixture.sessionToken, sessionId: newest?.id ?? '' });
      },
      async () => {
        await other();
        fixture.clock.advance(2 * MINUTE);
        await fixture.endOtherSessions.execute({ sessionToken: fixture.sessionToken });
      },
    ];
    for (const use of uses) {
      fixture.clock.advance(2 * MINUTE);
      await use();
      expect((await fixture.stored())?.lastSeenAt).to.deep.equal(fixture.clock.now());
    }
    const [current] = (await fixture.listSessions.execute({ sessionToken: fixture.sessionToken })).filter((session) => session.current);
    expect(current?.lastSeenAt).to.deep.equal(fixture.clock.now());
  });

  it('defaults to an idle timeout of 24 hours within an absolute lifetime of 14 days', async () => {
    const fixture = await loggedIn();
    fixture.clock.advance(DAY - SECOND);
    expect(await fixture.getProfile.execute({ sessionToken: fixture.sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
    fixture.clock.advance(DAY - SECOND);
    expect(await fixture.getProfile.execute({ sessionToken: fixture.sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
    fixture.clock.advance(DAY);
    expect(await rejection(fixture.getProfile.execute({ sessionToken: fixture.sessionToken }))).to.be.instanceOf(InvalidSessionError);
  });
});
