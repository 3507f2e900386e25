import { expect } from 'chai';
import { InvalidSessionError } from '../../../src/domain/errors.js';
import { digestToken } from '../../../src/domain/rules/secret-token.js';
import { DAY, SECOND } from '../../support/manual-clock.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, useCaseFixture } from '../../support/use-case-fixture.js';

async function loggedIn(env?: Record<string, string>) {
  const fixture = await useCaseFixture({ env });
  await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
  const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
  return { ...fixture, sessionToken };
}

describe('GetProfile', () => {
  it('resolves a session token to its user', async () => {
    const { getProfile, sessionToken } = await loggedIn();
    expect(await getProfile.execute({ sessionToken })).to.deep.equal({ email: EMAIL });
  });

  it('refuses an unknown, empty or tampered token', async () => {
    const { getProfile, sessionToken } = await loggedIn();
    for (const token of ['', 'nonsense', `${sessionToken}x`, sessionToken.slice(1)]) {
      expect(await rejection(getProfile.execute({ sessionToken: token }))).to.be.instanceOf(InvalidSessionError);
    }
  });

  it('treats an expired session exactly like an unknown one (rule 3)', async () => {
    const { getProfile, sessionToken, clock } = await loggedIn();
    clock.advance(14 * DAY - SECOND);
    expect(await getProfile.execute({ sessionToken })).to.deep.equal({ email: EMAIL });
    clock.advance(SECOND);
    const expired = await rejection(getProfile.execute({ sessionToken }));
    const unknown = await rejection(getProfile.execute({ sessionToken: 'unknown' }));
    expect(expired).to.be.instanceOf(InvalidSessionError);
    expect(expired.message).to.equal(unknown.message);
  });

  it('honours SESSION_TTL', async () => {
    const { getProfile, sessionToken, clock } = await loggedIn({ SESSION_TTL: '60' });
    clock.advance(59 * SECOND);
    await getProfile.execute({ sessionToken });
    clock.advance(SECOND);
    expect(await rejection(getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
  });
});

describe('LogOut (rule 4)', () => {
  it('ends only the session it is given', async () => {
    const { logIn, logOut, getProfile, sessionToken } = await loggedIn();
    const other = (await logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).sessionToken;
    await logOut.execute({ sessionToken });
    expect(await rejection(getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    expect(await getProfile.execute({ sessionToken: other })).to.deep.equal({ email: EMAIL });
  });

  it('refuses an unknown, empty, already ended or expired session', async () => {
    const { logIn, logOut, sessionToken, clock } = await loggedIn();
    expect(await rejection(logOut.execute({ sessionToken: '' }))).to.be.instanceOf(InvalidSessionError);
    expect(await rejection(logOut.execute({ sessionToken: 'unknown' }))).to.be.instanceOf(InvalidSessionError);
    await logOut.execute({ sessionToken });
    expect(await rejection(logOut.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    const later = (await logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).sessionToken;
    clock.advance(14 * DAY);
    expect(await rejection(logOut.execute({ sessionToken: later }))).to.be.instanceOf(InvalidSessionError);
  });

  it('changes nothing when it refuses: an expired session stays for the store to expire', async () => {
    const { logOut, sessions, sessionToken, clock } = await loggedIn();
    const stored = await sessions.findById(digestToken(sessionToken));
    clock.advance(14 * DAY);
    expect(await rejection(logOut.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    expect(await sessions.findById(digestToken(sessionToken))).to.deep.equal(stored);
  });

  it('lets exactly one of two concurrent log-outs with one token succeed', async () => {
    const { logOut, sessionToken } = await loggedIn();
    const results = await Promise.allSettled([logOut.execute({ sessionToken }), logOut.execute({ sessionToken })]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
  });
});

describe('sessions per user (MAX_SESSIONS_PER_USER)', () => {
  /** Registers the user and logs in `count` times, a second apart; the session tokens, oldest first. */
  async function loggedInTimes(count: number, env: Record<string, string>) {
    const fixture = await useCaseFixture({ env });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const tokens: string[] = [];
    for (let i = 0; i < count; i += 1) {
      tokens.push((await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).sessionToken);
      fixture.clock.advance(SECOND);
    }
    return { ...fixture, tokens };
  }

  it('ends the oldest session when a log-in goes beyond the cap, and keeps the others', async () => {
    const { getProfile, tokens } = await loggedInTimes(4, { MAX_SESSIONS_PER_USER: '3' });
    expect(await rejection(getProfile.execute({ sessionToken: tokens[0] ?? '' }))).to.be.instanceOf(InvalidSessionError);
    for (const sessionToken of tokens.slice(1)) expect(await getProfile.execute({ sessionToken })).to.deep.equal({ email: EMAIL });
  });

  it('defaults to 100', async () => {
    const { getProfile, tokens } = await loggedInTimes(101, { RATE_LIMIT: 'off' });
    expect(await rejection(getProfile.execute({ sessionToken: tokens[0] ?? '' }))).to.be.instanceOf(InvalidSessionError);
    expect(await getProfile.execute({ sessionToken: tokens[1] ?? '' })).to.deep.equal({ email: EMAIL });
  });
});
