import { expect } from 'chai';
import { InvalidSessionError } from '../../../src/domain/errors.js';
import { SECOND } from '../../support/manual-clock.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, useCaseFixture } from '../../support/use-case-fixture.js';

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
    for (const sessionToken of tokens.slice(1))
      expect(await getProfile.execute({ sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
  });

  it('defaults to 100', async () => {
    const { getProfile, tokens } = await loggedInTimes(101, { RATE_LIMIT: 'off' });
    expect(await rejection(getProfile.execute({ sessionToken: tokens[0] ?? '' }))).to.be.instanceOf(InvalidSessionError);
    expect(await getProfile.execute({ sessionToken: tokens[1] ?? '' })).to.deep.equal({ email: EMAIL, emailVerified: false });
  });
});
