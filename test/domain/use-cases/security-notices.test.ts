import { expect } from 'chai';
import { RecordingNotifier } from '../../support/recording-notifier.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore } from '../../support/use-case-fixture.js';

const NEW_PASSWORD = 'a brand new password';
const LANGUAGES = ['fr-CA', 'en'];

/** The notices the use cases send once their change committed: in the background, in the request's languages. */
describeUseCasesForEachStore('security notices', (useCaseFixture) => {
  async function loggedIn() {
    const notifier = new RecordingNotifier('email');
    const fixture = await useCaseFixture({ notifier });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    return { ...fixture, notifier, sessionToken };
  }

  it('password changed', async () => {
    const fixture = await loggedIn();
    const change = { sessionToken: fixture.sessionToken, currentPassword: PASSWORD, newPassword: NEW_PASSWORD, clientAddress: ADDRESS };
    await fixture.changePassword.execute({ ...change, currentPassword: 'wrong password' }).catch(() => undefined);
    expect(fixture.notifier.notified, 'after a refused change').to.deep.equal([]);
    await fixture.changePassword.execute({ ...change, languages: LANGUAGES });
    expect(fixture.notifier.notified).to.deep.equal([{ kind: 'password-changed', to: EMAIL, languages: LANGUAGES }]);
  });

  it('password reset completed, once, not again for a repeat of the same reset', async () => {
    const fixture = await loggedIn();
    await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
    const resetToken = fixture.notifier.tokenFor('password-reset', EMAIL);
    const reset = { email: EMAIL, resetToken, newPassword: NEW_PASSWORD, clientAddress: ADDRESS, languages: LANGUAGES };
    await fixture.resetPassword.execute(reset);
    await fixture.resetPassword.execute(reset);
    expect(fixture.notifier.notified).to.deep.equal([{ kind: 'password-reset', to: EMAIL, languages: LANGUAGES }]);
  });

  it('account deleted', async () => {
    const fixture = await loggedIn();
    await fixture.deleteAccount
      .execute({ sessionToken: fixture.sessionToken, password: 'wrong password', clientAddress: ADDRESS })
      .catch(() => undefined);
    expect(fixture.notifier.notified, 'after a refused deletion').to.deep.equal([]);
    await fixture.deleteAccount.execute({
      sessionToken: fixture.sessionToken,
      password: PASSWORD,
      clientAddress: ADDRESS,
      languages: LANGUAGES,
    });
    expect(fixture.notifier.notified).to.deep.equal([{ kind: 'account-deleted', to: EMAIL, languages: LANGUAGES }]);
  });
});
