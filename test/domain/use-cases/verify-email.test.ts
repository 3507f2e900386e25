import { expect } from 'chai';
import { InvalidInputError, InvalidVerificationTokenError, TooManyAttemptsError } from '../../../src/domain/errors.js';
import { HOUR } from '../../support/manual-clock.js';
import { RecordingNotifier } from '../../support/recording-notifier.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore } from '../../support/use-case-fixture.js';

const OTHER = 'bob@example.com';

describeUseCasesForEachStore('VerifyEmail', (useCaseFixture) => {
  async function withToken() {
    const fixture = await useCaseFixture({ env: { RATE_LIMIT_LOGIN_FAILURES: '3/15m' } });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const { verificationToken } = await fixture.requestEmailVerification.execute({ email: EMAIL, clientAddress: ADDRESS });
    return { ...fixture, token: verificationToken ?? '' };
  }
  const verify = (email: string, verificationToken: string, clientAddress = ADDRESS) => ({ email, verificationToken, clientAddress });

  it('verifies the address once: the profile says so, and the token is spent', async () => {
    const fixture = await withToken();
    const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    expect((await fixture.getProfile.execute({ sessionToken })).emailVerified).to.equal(false);
    expect(await fixture.verifyEmail.execute(verify(' ALICE@example.com', fixture.token))).to.deep.equal({ email: EMAIL });
    expect((await fixture.getProfile.execute({ sessionToken })).emailVerified).to.equal(true);
    expect(await rejection(fixture.verifyEmail.execute(verify(EMAIL, fixture.token)))).to.be.instanceOf(InvalidVerificationTokenError);
  });

  it('refuses alike a wrong, expired, superseded or foreign token, and another address for the right one', async () => {
    const fixture = await withToken();
    await fixture.registerUser.execute({ email: OTHER, password: PASSWORD, clientAddress: ADDRESS });
    const { verificationToken: othersToken } = await fixture.requestEmailVerification.execute({ email: OTHER, clientAddress: ADDRESS });
    const refusals = [verify(EMAIL, 'wrong'), verify(EMAIL, othersToken ?? ''), verify(OTHER, fixture.token)];
    for (const attempt of refusals) {
      expect(await rejection(fixture.verifyEmail.execute({ ...attempt, clientAddress: '198.51.100.1' }))).to.be.instanceOf(
        InvalidVerificationTokenError,
      );
    }
    const { verificationToken: newer } = await fixture.requestEmailVerification.execute({ email: EMAIL, clientAddress: ADDRESS });
    expect(await rejection(fixture.verifyEmail.execute(verify(EMAIL, fixture.token)))).to.be.instanceOf(InvalidVerificationTokenError);
    fixture.clock.advance(24 * HOUR);
    expect(await rejection(fixture.verifyEmail.execute(verify(EMAIL, newer ?? '')))).to.be.instanceOf(InvalidVerificationTokenError);
    expect((await fixture.users.findByEmail(EMAIL))?.emailVerifiedAt).to.equal(null);
  });

  it('refuses an empty token as invalid input, before counting anything', async () => {
    const fixture = await withToken();
    const refused = await rejection(fixture.verifyEmail.execute(verify(EMAIL, '')));
    expect(refused).to.be.instanceOf(InvalidInputError).and.to.include({ field: 'verificationToken' });
  });

  it('limits guesses per address and account, and never refuses the owner because of a stranger’s guesses', async () => {
    const fixture = await withToken();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await rejection(fixture.verifyEmail.execute(verify(EMAIL, `guess-${attempt}`, '203.0.113.9')));
    }
    expect(await rejection(fixture.verifyEmail.execute(verify(EMAIL, 'guess', '203.0.113.9')))).to.be.instanceOf(TooManyAttemptsError);
    expect(await fixture.verifyEmail.execute(verify(EMAIL, fixture.token))).to.deep.equal({ email: EMAIL });
  });

  it('of 10 concurrent uses of one token, exactly one succeeds', async () => {
    const fixture = await withToken();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) => fixture.verifyEmail.execute(verify(EMAIL, fixture.token, `192.0.2.${index + 10}`))),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
  });
});

describeUseCasesForEachStore('VerifyEmail completing an email change', (useCaseFixture) => {
  const NEW = 'alice.new@example.com';

  async function changing() {
    const notifier = new RecordingNotifier('email');
    const fixture = await useCaseFixture({ notifier });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const asking = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const other = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: '198.51.100.7' });
    await fixture.changeEmail.execute({ sessionToken: asking.sessionToken, password: PASSWORD, newEmail: NEW, clientAddress: ADDRESS });
    return { ...fixture, notifier, asking: asking.sessionToken, other: other.sessionToken, token: notifier.tokenFor('email-change', NEW) };
  }

  it('moves the account to the new address, verified; ends every other session; tells the old address', async () => {
    const fixture = await changing();
    const { resetToken } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
    expect(
      await fixture.verifyEmail.execute({ email: NEW, verificationToken: fixture.token, clientAddress: ADDRESS, languages: ['fr'] }),
    ).to.deep.equal({
      email: NEW,
    });
    expect(await fixture.getProfile.execute({ sessionToken: fixture.asking })).to.deep.equal({ email: NEW, emailVerified: true });
    expect(await rejection(fixture.getProfile.execute({ sessionToken: fixture.other }))).to.have.property('code', 'invalid_session');
    expect(fixture.notifier.notified).to.deep.include({ kind: 'email-changed', to: EMAIL, newEmail: NEW, languages: ['fr'] });
    // The old address has no account any more, and a reset token sent there is void.
    expect(await fixture.users.findByEmail(EMAIL)).to.equal(null);
    expect(
      await rejection(
        fixture.resetPassword.execute({
          email: NEW,
          resetToken: resetToken ?? 'x',
          newPassword: 'another password',
          clientAddress: ADDRESS,
        }),
      ),
    ).to.have.property('code', 'invalid_reset_token');
    await fixture.logIn.execute({ email: NEW, password: PASSWORD, clientAddress: ADDRESS });
  });

  it('is refused like a wrong token when another account took the address meanwhile, changing nothing', async () => {
    const fixture = await changing();
    await fixture.registerUser.execute({ email: NEW, password: PASSWORD, clientAddress: ADDRESS });
    expect(
      await rejection(fixture.verifyEmail.execute({ email: NEW, verificationToken: fixture.token, clientAddress: ADDRESS })),
    ).to.be.instanceOf(InvalidVerificationTokenError);
    expect((await fixture.getProfile.execute({ sessionToken: fixture.other })).email).to.equal(EMAIL);
  });

  it('is cancelled by a password reset or change that commits before it', async () => {
    const fixture = await changing();
    const { sessionToken } = await fixture.changePassword.execute({
      sessionToken: fixture.asking,
      currentPassword: PASSWORD,
      newPassword: 'a brand new password',
      clientAddress: ADDRESS,
    });
    expect(
      await rejection(fixture.verifyEmail.execute({ email: NEW, verificationToken: fixture.token, clientAddress: ADDRESS })),
    ).to.be.instanceOf(InvalidVerificationTokenError);
    expect((await fixture.getProfile.execute({ sessionToken })).email).to.equal(EMAIL);
  });
});
