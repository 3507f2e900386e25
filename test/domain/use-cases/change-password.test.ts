import { expect } from 'chai';
import {
  InvalidCredentialsError,
  InvalidInputError,
  InvalidResetTokenError,
  InvalidSessionError,
  TooManyAttemptsError,
  WrongPasswordError,
} from '../../../src/domain/errors.js';
import { HeldHasher } from '../../support/held-hasher.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore, type FixtureOptions } from '../../support/use-case-fixture.js';

const NEW_PASSWORD = 'a brand new password';

describeUseCasesForEachStore('ChangePassword', (useCaseFixture) => {
  /** A registered user logged in on two devices; `sessionToken` is the one making the change. */
  async function loggedInTwice(options: FixtureOptions = {}) {
    const fixture = await useCaseFixture(options);
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const other = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: '198.51.100.7' });
    return { ...fixture, sessionToken, otherSession: other.sessionToken };
  }
  const change = (sessionToken: string, currentPassword = PASSWORD, newPassword = NEW_PASSWORD) => ({
    sessionToken,
    currentPassword,
    newPassword,
    clientAddress: ADDRESS,
  });

  it('sets the new password, ends every session (the one used too), and hands out a fresh one', async () => {
    const fixture = await loggedInTwice();
    const { resetToken } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
    const result = await fixture.changePassword.execute(change(fixture.sessionToken));
    expect(result.email).to.equal(EMAIL);
    for (const ended of [fixture.sessionToken, fixture.otherSession]) {
      expect(await rejection(fixture.getProfile.execute({ sessionToken: ended }))).to.be.instanceOf(InvalidSessionError);
    }
    expect(await fixture.getProfile.execute({ sessionToken: result.sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
    expect(await rejection(fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS }))).to.be.instanceOf(
      InvalidCredentialsError,
    );
    await fixture.logIn.execute({ email: EMAIL, password: NEW_PASSWORD, clientAddress: ADDRESS });
    const reset = fixture.resetPassword.execute({
      email: EMAIL,
      resetToken: resetToken ?? '',
      newPassword: 'yet another one',
      clientAddress: ADDRESS,
    });
    expect(await rejection(reset), 'the reset token outstanding died with the change').to.be.instanceOf(InvalidResetTokenError);
  });

  it('refuses a wrong current password, changing nothing, and counts it like a failed log-in', async () => {
    const fixture = await loggedInTwice();
    const before = await fixture.users.findByEmail(EMAIL);
    for (let i = 0; i < 5; i += 1) {
      expect(await rejection(fixture.changePassword.execute(change(fixture.sessionToken, `wrong ${i}`)))).to.be.instanceOf(
        WrongPasswordError,
      );
    }
    expect(await fixture.users.findByEmail(EMAIL)).to.deep.equal(before);
    expect(await fixture.getProfile.execute({ sessionToken: fixture.sessionToken }), 'nothing ended').to.deep.equal({
      email: EMAIL,
      emailVerified: false,
    });
    // The same counter as log-in's (5 per account and address by default): the right password is refused now too.
    expect(await rejection(fixture.changePassword.execute(change(fixture.sessionToken)))).to.be.instanceOf(TooManyAttemptsError);
    expect(await rejection(fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS }))).to.be.instanceOf(
      TooManyAttemptsError,
    );
  });

  it('compares a wrong current password and the right one against the stored hash: the same bcrypt work', async () => {
    const hasher = new HeldHasher();
    const fixture = await loggedInTwice({ hasher });
    const stored = (await fixture.users.findByEmail(EMAIL))?.passwordHash;
    hasher.compared.length = 0;
    await rejection(fixture.changePassword.execute(change(fixture.sessionToken, 'wrong')));
    await fixture.changePassword.execute(change(fixture.sessionToken));
    expect(hasher.compared).to.deep.equal([stored, stored]);
    expect(stored?.slice(0, 7), 'at the configured cost').to.equal('$2b$04$');
  });

  it('applies the password policy to the new password, and refuses without a valid session, changing nothing', async () => {
    const fixture = await loggedInTwice();
    const before = await fixture.users.findByEmail(EMAIL);
    const short = await rejection(fixture.changePassword.execute(change(fixture.sessionToken, PASSWORD, 'short')));
    expect(short).to.be.instanceOf(InvalidInputError).with.property('field', 'newPassword');
    const tooLong = await rejection(fixture.changePassword.execute(change(fixture.sessionToken, 'x'.repeat(73))));
    expect(tooLong).to.be.instanceOf(InvalidInputError).with.property('field', 'currentPassword');
    for (const token of ['', 'not-a-session']) {
      expect(await rejection(fixture.changePassword.execute(change(token)))).to.be.instanceOf(InvalidSessionError);
    }
    expect(await fixture.users.findByEmail(EMAIL)).to.deep.equal(before);
  });

  it('lets a reset that commits while the new password is hashed win: the change is refused, the reset’s password stays', async () => {
    const hasher = new HeldHasher();
    const fixture = await loggedInTwice({ hasher });
    const { resetToken } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
    const hashing = hasher.holdNext('hash');
    const changing = fixture.changePassword.execute(change(fixture.sessionToken));
    await hashing.started;
    await fixture.resetPassword.execute({
      email: EMAIL,
      resetToken: resetToken ?? '',
      newPassword: 'the reset password',
      clientAddress: ADDRESS,
    });
    hashing.release();
    expect(await rejection(changing)).to.be.instanceOf(InvalidSessionError);
    await fixture.logIn.execute({ email: EMAIL, password: 'the reset password', clientAddress: ADDRESS });
    expect(await rejection(fixture.logIn.execute({ email: EMAIL, password: NEW_PASSWORD, clientAddress: ADDRESS }))).to.be.instanceOf(
      InvalidCredentialsError,
    );
  });

  it('leaves no live session for a log-in with the old password whose comparison ran while the change committed', async () => {
    const hasher = new HeldHasher();
    const fixture = await loggedInTwice({ hasher });
    const comparison = hasher.holdNext('verify');
    const logIn = fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: '203.0.113.9' });
    await comparison.started;
    const changed = await fixture.changePassword.execute(change(fixture.sessionToken));
    comparison.release();
    const { sessionToken } = await logIn;
    expect(await rejection(fixture.getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    expect(await fixture.getProfile.execute({ sessionToken: changed.sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
  });
});
