import { expect } from 'chai';
import { BcryptPasswordHasher } from '../../../src/adapters/password-hashing/bcrypt-password-hasher.js';
import { ClientGoneError } from '../../../src/domain/errors.js';
import type { HashRequester, PasswordHasher } from '../../../src/domain/ports/password-hasher.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, useCaseFixture, type UseCaseFixture } from '../../support/use-case-fixture.js';

const NEW_PASSWORD = 'a brand new password';

/** Real bcrypt (cost 4) that keeps the requester of every hash and comparison it is asked for. */
class RequesterRecordingHasher implements PasswordHasher {
  readonly requesters: (HashRequester | undefined)[] = [];
  private readonly inner = new BcryptPasswordHasher(4);

  hash(password: string, requester?: HashRequester): Promise<string> {
    this.requesters.push(requester);
    return this.inner.hash(password, requester);
  }

  verify(password: string, hash: string, requester?: HashRequester): Promise<boolean> {
    this.requesters.push(requester);
    return this.inner.verify(password, hash, requester);
  }

  needsRehash(hash: string): boolean {
    return this.inner.needsRehash(hash);
  }
}

async function registeredWithResetToken(options: { hasher?: PasswordHasher } = {}): Promise<UseCaseFixture & { token: string }> {
  const fixture = await useCaseFixture(options);
  await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
  const { resetToken } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
  if (resetToken === undefined) throw new Error('the response notifier should hand the token back');
  return { ...fixture, token: resetToken };
}

describe('what the use cases tell the password hasher', () => {
  it('registration, log-in and reset name the client, and pass its signal only when there is one', async () => {
    const hasher = new RequesterRecordingHasher();
    const fixture = await registeredWithResetToken({ hasher });
    const signal = new AbortController().signal;
    await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS, signal });
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: fixture.token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
    const { resetToken: second = '' } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: second, newPassword: PASSWORD, clientAddress: ADDRESS, signal });
    await fixture.registerUser.execute({ email: 'bob@example.com', password: PASSWORD, clientAddress: ADDRESS, signal });
    // Exactly these requesters: no `signal` key at all when there is no signal, as the port's optional
    // property reads, rather than one holding undefined.
    expect(hasher.requesters).to.deep.equal([
      { client: ADDRESS }, // registration
      { client: ADDRESS }, // log-in
      { client: ADDRESS, signal },
      { client: ADDRESS }, // reset
      { client: ADDRESS, signal },
      { client: ADDRESS, signal }, // registration
    ]);
    expect(hasher.requesters.map((requester) => requester?.signal)).to.deep.equal([
      undefined,
      undefined,
      signal,
      undefined,
      signal,
      signal,
    ]);
  });

  it('do no hashing for a client that has gone, and change nothing for it', async () => {
    const fixture = await registeredWithResetToken();
    const signal = AbortSignal.abort();
    const gone = [
      fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS, signal }),
      fixture.registerUser.execute({ email: 'bob@example.com', password: PASSWORD, clientAddress: ADDRESS, signal }),
      fixture.resetPassword.execute({ email: EMAIL, resetToken: fixture.token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS, signal }),
    ];
    for (const refused of gone) expect(await rejection(refused)).to.be.instanceOf(ClientGoneError);
    expect(await fixture.users.findByEmail('bob@example.com')).to.equal(null);
    // The token was not spent: it still sets the password for a client that stays.
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: fixture.token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
    expect((await fixture.logIn.execute({ email: EMAIL, password: NEW_PASSWORD, clientAddress: ADDRESS })).email).to.equal(EMAIL);
  });

  it('a password change and an account deletion name the client and pass its signal to every hash they do', async () => {
    const hasher = new RequesterRecordingHasher();
    const fixture = await registeredWithResetToken({ hasher });
    const signal = new AbortController().signal;
    const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    hasher.requesters.length = 0;
    const changed = await fixture.changePassword.execute({
      sessionToken,
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      clientAddress: ADDRESS,
      signal,
    });
    const again = await fixture.changePassword.execute({
      sessionToken: changed.sessionToken,
      currentPassword: NEW_PASSWORD,
      newPassword: PASSWORD,
      clientAddress: ADDRESS,
    });
    await fixture.deleteAccount.execute({ sessionToken: again.sessionToken, password: PASSWORD, clientAddress: ADDRESS, signal });
    expect(hasher.requesters).to.deep.equal([
      { client: ADDRESS, signal }, // the current password compared
      { client: ADDRESS, signal }, // the new one hashed
      { client: ADDRESS },
      { client: ADDRESS },
      { client: ADDRESS, signal }, // the deletion's comparison
    ]);
    expect(hasher.requesters.map((requester) => requester?.signal)).to.deep.equal([signal, signal, undefined, undefined, signal]);
  });

  it('a password change and an account deletion for a client that has gone hash nothing and change nothing', async () => {
    const hasher = new RequesterRecordingHasher();
    const fixture = await registeredWithResetToken({ hasher });
    const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const before = await fixture.users.findByEmail(EMAIL);
    const signal = AbortSignal.abort();
    const gone = [
      fixture.changePassword.execute({
        sessionToken,
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        clientAddress: ADDRESS,
        signal,
      }),
      fixture.deleteAccount.execute({ sessionToken, password: PASSWORD, clientAddress: ADDRESS, signal }),
    ];
    for (const refused of gone) expect(await rejection(refused)).to.be.instanceOf(ClientGoneError);
    expect(await fixture.users.findByEmail(EMAIL)).to.deep.equal(before);
    expect(await fixture.getProfile.execute({ sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
  });
});
