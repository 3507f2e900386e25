import { expect } from 'chai';
import { DeliveryUnavailableError, UnknownEmailError } from '../../../src/domain/errors.js';
import type { TokenMessage } from '../../../src/domain/ports/notifier.js';
import { digestToken } from '../../../src/domain/rules/secret-token.js';
import { HOUR } from '../../support/manual-clock.js';
import { RecordingNotifier } from '../../support/recording-notifier.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore } from '../../support/use-case-fixture.js';

const UNKNOWN = 'nobody@example.com';

describeUseCasesForEachStore('RequestEmailVerification', (useCaseFixture) => {
  async function registered(channel: 'response' | 'email') {
    const notifier = new RecordingNotifier(channel);
    const fixture = await useCaseFixture({ notifier });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    return { ...fixture, notifier };
  }

  it('by email: sends the token, valid for VERIFICATION_TOKEN_TTL, in the languages asked, and keeps it out of the answer', async () => {
    const fixture = await registered('email');
    const answer = await fixture.requestEmailVerification.execute({
      email: ' Alice@Example.com ',
      clientAddress: ADDRESS,
      languages: ['fr'],
    });
    expect(answer).to.deep.equal({ email: EMAIL });
    const [message] = fixture.notifier.sent as TokenMessage[];
    expect(message).to.include({ kind: 'email-verification', to: EMAIL });
    expect(message?.languages).to.deep.equal(['fr']);
    expect(message?.expiresAt.getTime()).to.equal(fixture.clock.now().getTime() + 24 * HOUR);
    const user = await fixture.users.findByEmail(EMAIL);
    expect(user?.verificationTokenHash).to.equal(digestToken(message?.token ?? ''));
  });

  it('by email: an unknown address gets the same answer and one stand-in message with nothing to use', async () => {
    const fixture = await registered('email');
    expect(await fixture.requestEmailVerification.execute({ email: UNKNOWN, clientAddress: ADDRESS })).to.deep.equal({ email: UNKNOWN });
    expect(fixture.notifier.log.sent).to.deep.equal([`verification-without-account ${UNKNOWN}`]);
    expect(await fixture.users.findByEmail(UNKNOWN)).to.equal(null);
  });

  it('by email: a verified address gets a new link all the same', async () => {
    const fixture = await registered('email');
    await fixture.requestEmailVerification.execute({ email: EMAIL, clientAddress: ADDRESS });
    const token = fixture.notifier.tokenFor('email-verification', EMAIL);
    await fixture.verifyEmail.execute({ email: EMAIL, verificationToken: token, clientAddress: ADDRESS });
    expect(await fixture.requestEmailVerification.execute({ email: EMAIL, clientAddress: ADDRESS })).to.deep.equal({ email: EMAIL });
    expect(fixture.notifier.log.sent).to.deep.equal([`email-verification ${EMAIL}`, `email-verification ${EMAIL}`]);
  });

  it('by email: a failed send is the answer (DeliveryUnavailableError), and the next request supersedes the stored token', async () => {
    const fixture = await registered('email');
    fixture.notifier.failure = new DeliveryUnavailableError();
    expect(await rejection(fixture.requestEmailVerification.execute({ email: EMAIL, clientAddress: ADDRESS }))).to.be.instanceOf(
      DeliveryUnavailableError,
    );
    expect(await rejection(fixture.requestEmailVerification.execute({ email: UNKNOWN, clientAddress: ADDRESS }))).to.be.instanceOf(
      DeliveryUnavailableError,
    );
  });

  it('response channel: hands the token back, and refuses an unknown address', async () => {
    const fixture = await registered('response');
    const { verificationToken } = await fixture.requestEmailVerification.execute({ email: EMAIL, clientAddress: ADDRESS });
    expect((await fixture.users.findByEmail(EMAIL))?.verificationTokenHash).to.equal(digestToken(verificationToken ?? ''));
    expect(await rejection(fixture.requestEmailVerification.execute({ email: UNKNOWN, clientAddress: ADDRESS }))).to.be.instanceOf(
      UnknownEmailError,
    );
  });
});
