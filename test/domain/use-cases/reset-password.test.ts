import { expect } from 'chai';
import {
  InvalidCredentialsError,
  InvalidInputError,
  InvalidResetTokenError,
  InvalidSessionError,
  UnknownEmailError,
} from '../../../src/domain/errors.js';
import { digestToken } from '../../../src/domain/rules/secret-token.js';
import { MINUTE, SECOND } from '../../support/manual-clock.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, useCaseFixture, type UseCaseFixture } from '../../support/use-case-fixture.js';

const NEW_PASSWORD = 'a brand new password';

async function registered(env?: Record<string, string>) {
  const fixture = await useCaseFixture({ env });
  await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
  return fixture;
}

async function requestToken(fixture: UseCaseFixture, email = EMAIL): Promise<string> {
  const { resetToken } = await fixture.requestPasswordReset.execute({ email, clientAddress: ADDRESS });
  if (resetToken === undefined) throw new Error('the response notifier should hand the token back');
  return resetToken;
}

describe('RequestPasswordReset and ResetPassword', () => {
  it('issues a URL-safe token of at least 128 bits, stored only as its digest, with an expiry', async () => {
    const fixture = await registered();
    const token = await requestToken(fixture, ' Alice@EXAMPLE.com');
    expect(token).to.match(/^[A-Za-z0-9_-]+$/);
    expect(token.length * 6).to.be.at.least(128);
    const user = await fixture.users.findByEmail(EMAIL);
    expect(user?.resetTokenHash).to.equal(digestToken(token));
    expect(user?.resetTokenExpiresAt?.getTime()).to.equal(fixture.clock.now().getTime() + 30 * MINUTE);
    expect(JSON.stringify(user)).not.to.contain(token);
  });

  it('refuses an unknown email', async () => {
    const fixture = await registered();
    const error = await rejection(fixture.requestPasswordReset.execute({ email: 'nobody@example.com', clientAddress: ADDRESS }));
    expect(error).to.be.instanceOf(UnknownEmailError);
  });

  it('sets the new password, which then logs in while the old one does not', async () => {
    const fixture = await registered();
    const token = await requestToken(fixture);
    expect(
      await fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
    ).to.deep.equal({ email: EMAIL });
    expect(await rejection(fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS }))).to.be.instanceOf(
      InvalidCredentialsError,
    );
    expect((await fixture.logIn.execute({ email: EMAIL, password: NEW_PASSWORD, clientAddress: ADDRESS })).email).to.equal(EMAIL);
  });

  it('is single use', async () => {
    const fixture = await registered();
    const token = await requestToken(fixture);
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
    const again = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: 'yet another password', clientAddress: ADDRESS }),
    );
    expect(again).to.be.instanceOf(InvalidResetTokenError);
  });

  it('expires after RESET_TOKEN_TTL, 30 minutes by default', async () => {
    const fixture = await registered();
    const token = await requestToken(fixture);
    fixture.clock.advance(30 * MINUTE);
    const error = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
    );
    expect(error).to.be.instanceOf(InvalidResetTokenError);

    const short = await registered({ RESET_TOKEN_TTL: '90' });
    const shortToken = await requestToken(short);
    short.clock.advance(89 * SECOND);
    await short.resetPassword.execute({ email: EMAIL, resetToken: shortToken, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
  });

  it('is superseded by a newer request', async () => {
    const fixture = await registered();
    const older = await requestToken(fixture);
    const newer = await requestToken(fixture);
    const error = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: older, newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
    );
    expect(error).to.be.instanceOf(InvalidResetTokenError);
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: newer, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
  });

  it('must belong to the email given with it', async () => {
    const fixture = await registered();
    await fixture.registerUser.execute({ email: 'mallory@example.com', password: PASSWORD, clientAddress: ADDRESS });
    const mallorys = await requestToken(fixture, 'mallory@example.com');
    const error = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: mallorys, newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
    );
    expect(error).to.be.instanceOf(InvalidResetTokenError);
    expect((await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).email).to.equal(EMAIL);
  });

  it('refuses wrong and empty tokens, and leaves the real one usable', async () => {
    const fixture = await registered();
    const token = await requestToken(fixture);
    expect(
      await rejection(
        fixture.resetPassword.execute({ email: EMAIL, resetToken: 'guess', newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
      ),
    ).to.be.instanceOf(InvalidResetTokenError);
    const empty = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: '', newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
    );
    expect(empty).to.be.instanceOf(InvalidInputError).with.property('field', 'resetToken');
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
  });

  it('applies the password policy to the new password, leaving the token usable', async () => {
    const fixture = await registered();
    const token = await requestToken(fixture);
    const short = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: 'short', clientAddress: ADDRESS }),
    );
    expect(short).to.be.instanceOf(InvalidInputError).with.property('field', 'newPassword');
    const long = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: 'x'.repeat(73), clientAddress: ADDRESS }),
    );
    expect(long.message).to.contain('at most 72 bytes');
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
  });

  it('ends every session of the user', async () => {
    const fixture = await registered();
    const first = (await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).sessionToken;
    const second = (await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).sessionToken;
    await fixture.resetPassword.execute({
      email: EMAIL,
      resetToken: await requestToken(fixture),
      newPassword: NEW_PASSWORD,
      clientAddress: ADDRESS,
    });
    for (const sessionToken of [first, second]) {
      expect(await rejection(fixture.getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    }
    const user = await fixture.users.findByEmail(EMAIL);
    expect(await fixture.sessions.deleteAllForUser(user?.id ?? '')).to.equal(0);
  });

  it('refuses a session that outlived a password change even if its deletion failed', async () => {
    const fixture = await registered();
    const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const stale = await fixture.sessions.findById(digestToken(sessionToken));
    fixture.clock.advance(SECOND);
    await fixture.resetPassword.execute({
      email: EMAIL,
      resetToken: await requestToken(fixture),
      newPassword: NEW_PASSWORD,
      clientAddress: ADDRESS,
    });
    // Put the deleted session back, as if the deletion after the reset had not happened.
    if (stale !== null) await fixture.sessions.add(stale, 100);
    expect(await rejection(fixture.getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
  });

  it('lets exactly one of two concurrent uses of one token succeed', async () => {
    const fixture = await registered();
    const token = await requestToken(fixture);
    const results = await Promise.allSettled([
      fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: 'first new password', clientAddress: ADDRESS }),
      fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: 'second new password', clientAddress: ADDRESS }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    const failed = results.find((r) => r.status === 'rejected');
    expect(failed?.reason).to.be.instanceOf(InvalidResetTokenError);
  });
});
