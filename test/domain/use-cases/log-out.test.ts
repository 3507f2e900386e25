import { expect } from 'chai';
import { InvalidSessionError } from '../../../src/domain/errors.js';
import { digestToken } from '../../../src/domain/rules/secret-token.js';
import { DAY } from '../../support/manual-clock.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, loggedInFixture } from '../../support/use-case-fixture.js';

describe('LogOut', () => {
  it('ends only the session it is given', async () => {
    const { logIn, logOut, getProfile, sessionToken } = await loggedInFixture();
    const other = (await logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).sessionToken;
    await logOut.execute({ sessionToken });
    expect(await rejection(getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    expect(await getProfile.execute({ sessionToken: other })).to.deep.equal({ email: EMAIL, emailVerified: false });
  });

  it('refuses an unknown, empty, already ended or expired session', async () => {
    const { logIn, logOut, sessionToken, clock } = await loggedInFixture();
    expect(await rejection(logOut.execute({ sessionToken: '' }))).to.be.instanceOf(InvalidSessionError);
    expect(await rejection(logOut.execute({ sessionToken: 'unknown' }))).to.be.instanceOf(InvalidSessionError);
    await logOut.execute({ sessionToken });
    expect(await rejection(logOut.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    const later = (await logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).sessionToken;
    clock.advance(14 * DAY);
    expect(await rejection(logOut.execute({ sessionToken: later }))).to.be.instanceOf(InvalidSessionError);
  });

  it('changes nothing when it refuses: an expired session stays for the store to expire', async () => {
    const { logOut, sessions, sessionToken, clock } = await loggedInFixture();
    const stored = await sessions.findById(digestToken(sessionToken));
    clock.advance(14 * DAY);
    expect(await rejection(logOut.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    expect(await sessions.findById(digestToken(sessionToken))).to.deep.equal(stored);
  });

  it('lets exactly one of two concurrent log-outs with one token succeed', async () => {
    const { logOut, sessionToken } = await loggedInFixture();
    const results = await Promise.allSettled([logOut.execute({ sessionToken }), logOut.execute({ sessionToken })]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
  });
});
