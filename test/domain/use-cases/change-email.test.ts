import { expect } from 'chai';
import { InvalidInputError, InvalidSessionError, InvalidVerificationTokenError, WrongPasswordError } from '../../../src/domain/errors.js';
import { HeldHasher } from '../../support/held-hasher.js';
import { RecordingNotifier } from '../../support/recording-notifier.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore, type FixtureOptions } from '../../support/use-case-fixture.js';

const NEW = 'alice.new@example.com';
const TAKEN = 'bob@example.com';

describeUseCasesForEachStore('ChangeEmail', (useCaseFixture) => {
  async function loggedIn(channel: 'response' | 'email', options: FixtureOptions = {}) {
    const notifier = new RecordingNotifier(channel);
    const fixture = await useCaseFixture({ ...options, notifier });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    await fixture.registerUser.execute({ email: TAKEN, password: PASSWORD, clientAddress: ADDRESS });
    const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    return { ...fixture, notifier, sessionToken };
  }
  const change = (sessionToken: string, newEmail = NEW, password = PASSWORD) => ({
    sessionToken,
    password,
    newEmail,
    clientAddress: ADDRESS,
  });

  it('by email: sends a token to the new address; the account keeps its address until it is spent', async () => {
    const fixture = await loggedIn('email');
    expect(
      await fixture.changeEmail.execute({ ...change(fixture.sessionToken, ' Alice.New@Example.com'), languages: ['fr'] }),
    ).to.deep.equal({
      email: NEW,
    });
    expect(fixture.notifier.log.sent).to.deep.equal([`email-change ${NEW}`]);
    expect(fixture.notifier.sent[0]?.languages).to.deep.equal(['fr']);
    expect((await fixture.getProfile.execute({ sessionToken: fixture.sessionToken })).email).to.equal(EMAIL);
    expect(await fixture.users.findByEmail(NEW)).to.equal(null);
    await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
  });

  it('by email: an address another account has gets the same answer, changes nothing, and tells its owner', async () => {
    const fixture = await loggedIn('email');
    const before = await fixture.users.findByEmail(EMAIL);
    expect(await fixture.changeEmail.execute(change(fixture.sessionToken, TAKEN))).to.deep.equal({ email: TAKEN });
    expect(fixture.notifier.log.sent).to.deep.equal([`email-change-attempted ${TAKEN}`]);
    expect((await fixture.users.findByEmail(EMAIL))?.pendingEmail).to.equal(before?.pendingEmail ?? null);
  });

  it('response channel: hands the token back; for a taken address, one nothing accepts', async () => {
    const fixture = await loggedIn('response');
    const free = await fixture.changeEmail.execute(change(fixture.sessionToken));
    expect(free.verificationToken).to.be.a('string');
    const taken = await fixture.changeEmail.execute(change(fixture.sessionToken, TAKEN));
    expect(Object.keys(taken)).to.deep.equal(Object.keys(free));
    expect(
      await rejection(
        fixture.verifyEmail.execute({ email: TAKEN, verificationToken: taken.verificationToken ?? '', clientAddress: ADDRESS }),
      ),
    ).to.be.instanceOf(InvalidVerificationTokenError);
    // The earlier request to the free address still stands: the stand-in stored nothing.
    expect(
      await fixture.verifyEmail.execute({ email: NEW, verificationToken: free.verificationToken ?? '', clientAddress: ADDRESS }),
    ).to.deep.equal({
      email: NEW,
    });
  });

  it('a newer request supersedes the older one', async () => {
    const fixture = await loggedIn('response');
    const first = await fixture.changeEmail.execute(change(fixture.sessionToken));
    await fixture.changeEmail.execute(change(fixture.sessionToken, 'third@example.com'));
    expect(
      await rejection(
        fixture.verifyEmail.execute({ email: NEW, verificationToken: first.verificationToken ?? '', clientAddress: ADDRESS }),
      ),
    ).to.be.instanceOf(InvalidVerificationTokenError);
  });

  it('refuses a wrong password (counted like a log-in), an invalid or unchanged address, and no session, sending nothing', async () => {
    const fixture = await loggedIn('email');
    expect(await rejection(fixture.changeEmail.execute(change(fixture.sessionToken, NEW, 'wrong password')))).to.be.instanceOf(
      WrongPasswordError,
    );
    const invalid = await rejection(fixture.changeEmail.execute(change(fixture.sessionToken, 'not an address')));
    expect(invalid).to.be.instanceOf(InvalidInputError).and.to.include({ field: 'newEmail' });
    const same = await rejection(fixture.changeEmail.execute(change(fixture.sessionToken, ' ALICE@example.com')));
    expect(same).to.be.instanceOf(InvalidInputError).and.to.include({ field: 'newEmail', reason: 'must differ from the current email' });
    expect(await rejection(fixture.changeEmail.execute(change('no-such-session')))).to.be.instanceOf(InvalidSessionError);
    expect(fixture.notifier.sent).to.deep.equal([]);
  });

  it('loses to a password reset that commits while the password is compared: nothing is requested', async () => {
    const hasher = new HeldHasher();
    const fixture = await loggedIn('response', { hasher });
    const { resetToken } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
    const gate = hasher.holdNext('verify');
    const pending = fixture.changeEmail.execute(change(fixture.sessionToken));
    await gate.started;
    await fixture.resetPassword.execute({
      email: EMAIL,
      resetToken: resetToken ?? '',
      newPassword: 'a brand new password',
      clientAddress: ADDRESS,
    });
    gate.release();
    expect(await rejection(pending)).to.be.instanceOf(InvalidSessionError);
    expect((await fixture.users.findByEmail(EMAIL))?.pendingEmail).to.equal(null);
  });
});
