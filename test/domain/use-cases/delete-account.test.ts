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

describeUseCasesForEachStore('DeleteAccount', (useCaseFixture) => {
  /** A registered user logged in on two devices, with a reset outstanding; `sessionToken` is the one deleting. */
  async function loggedInTwice(options: FixtureOptions = {}) {
    const fixture = await useCaseFixture(options);
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const other = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: '198.51.100.7' });
    const { resetToken } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
    return { ...fixture, sessionToken, otherSession: other.sessionToken, resetToken: resetToken ?? '' };
  }
  const deletion = (sessionToken: string, password = PASSWORD) => ({ sessionToken, password, clientAddress: ADDRESS });

  it('removes the user, every session and the reset token; the email can be registered again', async () => {
    const fixture = await loggedInTwice();
    const userId = (await fixture.users.findByEmail(EMAIL))?.id ?? '';
    await fixture.deleteAccount.execute(deletion(fixture.sessionToken));
    expect(await fixture.users.findByEmail(EMAIL)).to.equal(null);
    expect(await fixture.sessions.listForUser(userId)).to.deep.equal([]);
    for (const sessionToken of [fixture.sessionToken, fixture.otherSession]) {
      expect(await rejection(fixture.getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    }
    const reset = fixture.resetPassword.execute({
      email: EMAIL,
      resetToken: fixture.resetToken,
      newPassword: 'a new one',
      clientAddress: ADDRESS,
    });
    expect(await rejection(reset)).to.be.instanceOf(InvalidResetTokenError);
    expect(await rejection(fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS }))).to.be.instanceOf(
      InvalidCredentialsError,
    );
    await fixture.registerUser.execute({ email: EMAIL, password: 'someone else now', clientAddress: ADDRESS });
    const fresh = await fixture.logIn.execute({ email: EMAIL, password: 'someone else now', clientAddress: ADDRESS });
    expect(await fixture.getProfile.execute({ sessionToken: fresh.sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
    for (const sessionToken of [fixture.sessionToken, fixture.otherSession]) {
      expect(await rejection(fixture.getProfile.execute({ sessionToken })), 'no old session opens the new account').to.be.instanceOf(
        InvalidSessionError,
      );
    }
  });

  it('refuses a wrong password, deleting nothing, and counts it like a failed log-in', async () => {
    const fixture = await loggedInTwice();
    const before = await fixture.users.findByEmail(EMAIL);
    for (let i = 0; i < 5; i += 1) {
      expect(await rejection(fixture.deleteAccount.execute(deletion(fixture.sessionToken, `wrong ${i}`)))).to.be.instanceOf(
        WrongPasswordError,
      );
    }
    expect(await fixture.users.findByEmail(EMAIL)).to.deep.equal(before);
    expect(await fixture.getProfile.execute({ sessionToken: fixture.otherSession }), 'nothing ended').to.deep.equal({
      email: EMAIL,
      emailVerified: false,
    });
    // The log-in counter (5 per account and address by default): the right password is refused now too.
    expect(await rejection(fixture.deleteAccount.execute(deletion(fixture.sessionToken)))).to.be.instanceOf(TooManyAttemptsError);
    expect(await fixture.users.findByEmail(EMAIL)).to.deep.equal(before);
  });

  it('forgets the throttling that names the account, so the new owner of the email starts clean', async () => {
    const fixture = await loggedInTwice();
    const wrongResets = async () => {
      for (let i = 0; i < 4; i += 1) {
        const reset = fixture.resetPassword.execute({
          email: EMAIL,
          resetToken: `wrong-${i}`,
          newPassword: 'a new one',
          clientAddress: ADDRESS,
        });
        expect(await rejection(reset)).to.be.instanceOf(InvalidResetTokenError);
      }
    };
    // Reset attempts are counted apart from log-ins (5 per account and address by default), and no log-in forgives them.
    await wrongResets();
    await fixture.deleteAccount.execute(deletion(fixture.otherSession));
    await fixture.registerUser.execute({ email: EMAIL, password: 'a new owner', clientAddress: ADDRESS });
    await wrongResets();
    // Four failures on the new account: had the old account's four not been forgotten, this would be the ninth, refused.
    const { resetToken } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: resetToken ?? '', newPassword: 'a new one', clientAddress: ADDRESS });
  });

  it('forgets the registration and reset-request counts of the account too', async () => {
    const fixture = await loggedInTwice();
    // RATE_LIMIT_ACCOUNT, 10 per 15 minutes per action, account and address: one registration and one reset
    // request are counted already; nine more of each reach the limit.
    for (let i = 0; i < 9; i += 1) {
      await rejection(fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS }));
      await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
    }
    await fixture.deleteAccount.execute(deletion(fixture.sessionToken));
    // The eleventh of each, for the new owner: refused, had the deleted account's counts stayed.
    await fixture.registerUser.execute({ email: EMAIL, password: 'a new owner', clientAddress: ADDRESS });
    await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
  });

  it('refuses without a valid session, and a password over 72 bytes as invalid input, deleting nothing', async () => {
    const fixture = await loggedInTwice();
    for (const token of ['', 'not-a-session']) {
      expect(await rejection(fixture.deleteAccount.execute(deletion(token)))).to.be.instanceOf(InvalidSessionError);
    }
    const tooLong = await rejection(fixture.deleteAccount.execute(deletion(fixture.sessionToken, 'x'.repeat(73))));
    expect(tooLong).to.be.instanceOf(InvalidInputError).with.property('field', 'password');
    expect(await fixture.users.findByEmail(EMAIL)).not.to.equal(null);
  });

  it('compares a wrong password and the right one against the stored hash: the same bcrypt work', async () => {
    const hasher = new HeldHasher();
    const fixture = await loggedInTwice({ hasher });
    const stored = (await fixture.users.findByEmail(EMAIL))?.passwordHash;
    hasher.compared.length = 0;
    await rejection(fixture.deleteAccount.execute(deletion(fixture.sessionToken, 'wrong')));
    await fixture.deleteAccount.execute(deletion(fixture.sessionToken));
    expect(hasher.compared).to.deep.equal([stored, stored]);
  });

  it('lets a reset that commits while the password is compared win: the account stays, with the reset’s password', async () => {
    const hasher = new HeldHasher();
    const fixture = await loggedInTwice({ hasher });
    const comparison = hasher.holdNext('verify');
    const deleting = fixture.deleteAccount.execute(deletion(fixture.sessionToken));
    await comparison.started;
    await fixture.resetPassword.execute({
      email: EMAIL,
      resetToken: fixture.resetToken,
      newPassword: 'the reset password',
      clientAddress: ADDRESS,
    });
    comparison.release();
    expect(await rejection(deleting)).to.be.instanceOf(InvalidSessionError);
    await fixture.logIn.execute({ email: EMAIL, password: 'the reset password', clientAddress: ADDRESS });
  });

  it('leaves no live session for a log-in whose comparison ran while the account was deleted', async () => {
    const hasher = new HeldHasher();
    const fixture = await loggedInTwice({ hasher });
    const comparison = hasher.holdNext('verify');
    const logIn = fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: '203.0.113.9' });
    await comparison.started;
    await fixture.deleteAccount.execute(deletion(fixture.sessionToken));
    comparison.release();
    const { sessionToken } = await logIn;
    expect(await rejection(fixture.getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    await fixture.registerUser.execute({ email: EMAIL, password: 'a new owner', clientAddress: ADDRESS });
    expect(await rejection(fixture.getProfile.execute({ sessionToken })), 'nor for the next account with the email').to.be.instanceOf(
      InvalidSessionError,
    );
  });
});
