import { expect } from 'chai';
import { UnlimitedRateLimiter } from '../../../src/adapters/rate-limit/flexible-rate-limiter.js';
import {
  DeliveryUnavailableError,
  InvalidResetTokenError,
  StoreUnavailableError,
  TooManyAttemptsError,
  UnknownEmailError,
} from '../../../src/domain/errors.js';
import type { RateLimiter } from '../../../src/domain/ports/rate-limiter.js';
import type { Notifier, TokenMessage } from '../../../src/domain/ports/notifier.js';
import type { UserRepository } from '../../../src/domain/ports/user-repository.js';
import { digestToken } from '../../../src/domain/rules/secret-token.js';
import { RateLimits } from '../../../src/domain/rules/rate-limits.js';
import { RequestPasswordReset } from '../../../src/domain/use-cases/request-password-reset.js';
import { MINUTE } from '../../support/manual-clock.js';
import { RecordingNotifier } from '../../support/recording-notifier.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, useCaseFixture, type UseCaseFixture } from '../../support/use-case-fixture.js';

const NEW_PASSWORD = 'a brand new password';
const UNKNOWN = 'nobody@example.com';

/** What the notifier sent, by kind: the reset links, and the stand-ins for addresses without an account. */
function resetsSent(notifier: RecordingNotifier): TokenMessage[] {
  return notifier.sent.filter((message): message is TokenMessage => message.kind === 'password-reset');
}
function noAccountSent(notifier: RecordingNotifier): string[] {
  return notifier.sent.filter((message) => message.kind === 'reset-without-account').map((message) => message.to);
}

const unlimited = new UnlimitedRateLimiter();

function rateLimits(requestsByAccountAndAddress: RateLimiter = unlimited): RateLimits {
  return new RateLimits({
    requestsByAddress: unlimited,
    requestsByAccountAndAddress,
    logInFailuresByAccountAndAddress: unlimited,
    logInFailuresByAccount: unlimited,
  });
}

async function registered(): Promise<UseCaseFixture> {
  const fixture = await useCaseFixture();
  await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
  return fixture;
}

/** The use case with the fixture's store and clock, and the given notifier. */
function requestReset(fixture: UseCaseFixture, notifier: Notifier, options: { users?: UserRepository; limiter?: RateLimiter } = {}) {
  let counter = 0;
  const tokens = { generate: () => `token-${(counter += 1)}-${'x'.repeat(32)}` };
  const useCase = new RequestPasswordReset(
    { users: options.users ?? fixture.users, tokens, notifier, clock: fixture.clock, rateLimits: rateLimits(options.limiter) },
    { resetTokenTtlMs: 30 * MINUTE },
  );
  return (email: string) => useCase.execute({ email, clientAddress: ADDRESS });
}

describe('RequestPasswordReset: delivery through the notifier', () => {
  it('hands the token to the notifier; an out-of-band channel keeps it out of the result', async () => {
    const fixture = await registered();
    const notifier = new RecordingNotifier();
    expect(await requestReset(fixture, notifier)(' Alice@Example.COM')).to.deep.equal({ email: EMAIL });
    expect(resetsSent(notifier)).to.have.length(1);
    const [notice] = resetsSent(notifier);
    expect(notice).to.include({ to: EMAIL, kind: 'password-reset' });
    expect(notice?.expiresAt.getTime()).to.equal(fixture.clock.now().getTime() + 30 * MINUTE);
    expect((await fixture.users.findByEmail(EMAIL))?.resetTokenHash).to.equal(digestToken(notice?.token ?? ''));
    expect(noAccountSent(notifier)).to.deep.equal([]);
    // The token the notifier got is the one that works.
    await fixture.resetPassword.execute({
      email: EMAIL,
      resetToken: notice?.token ?? '',
      newPassword: NEW_PASSWORD,
      clientAddress: ADDRESS,
    });
  });

  it('sends a stand-in to an email with no account and answers exactly as for an account', async () => {
    const fixture = await registered();
    const notifier = new RecordingNotifier();
    expect(await requestReset(fixture, notifier)(' NOBODY@example.com ')).to.deep.equal({ email: UNKNOWN });
    expect(noAccountSent(notifier)).to.deep.equal([UNKNOWN]);
    expect(resetsSent(notifier)).to.deep.equal([]);
    expect(await fixture.users.findByEmail(UNKNOWN)).to.equal(null);
  });

  it('the response channel hands the token back and refuses an unknown email (UnknownEmailError)', async () => {
    const fixture = await registered();
    const reset = requestReset(fixture, new RecordingNotifier('response'));
    const { resetToken } = await reset(EMAIL);
    expect((await fixture.users.findByEmail(EMAIL))?.resetTokenHash).to.equal(digestToken(resetToken ?? ''));
    expect(await rejection(reset(UNKNOWN))).to.be.instanceOf(UnknownEmailError);
  });

  it('clears the token when delivery fails, rejects with the notifier’s error, and leaves the password alone', async () => {
    const fixture = await registered();
    const notifier = new RecordingNotifier();
    notifier.failure = new DeliveryUnavailableError();
    const reset = requestReset(fixture, notifier);
    expect(await rejection(reset(EMAIL))).to.equal(notifier.failure);
    const token = resetsSent(notifier)[0]?.token ?? '';
    const user = await fixture.users.findByEmail(EMAIL);
    expect(user).to.include({ resetTokenHash: null, resetTokenExpiresAt: null });
    const refused = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
    );
    expect(refused).to.be.instanceOf(InvalidResetTokenError);
    expect((await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).email).to.equal(EMAIL);
  });

  it('clears the token whatever the failure, a bug included', async () => {
    const fixture = await registered();
    const notifier = new RecordingNotifier();
    notifier.failure = new TypeError('a bug in the notifier');
    expect(await rejection(requestReset(fixture, notifier)(EMAIL))).to.be.instanceOf(TypeError);
    expect((await fixture.users.findByEmail(EMAIL))?.resetTokenHash).to.equal(null);
  });

  it('never clears a newer token that a concurrent request issued while delivery was failing', async () => {
    const fixture = await registered();
    const notifier = new RecordingNotifier();
    notifier.failure = new DeliveryUnavailableError();
    const newer = 'newer-token-from-a-concurrent-request';
    notifier.meanwhile = async () => {
      await fixture.users.setResetToken(
        EMAIL,
        digestToken(newer),
        new Date(fixture.clock.now().getTime() + 30 * MINUTE),
        fixture.clock.now(),
      );
    };
    expect(await rejection(requestReset(fixture, notifier)(EMAIL))).to.be.instanceOf(DeliveryUnavailableError);
    expect((await fixture.users.findByEmail(EMAIL))?.resetTokenHash).to.equal(digestToken(newer));
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: newer, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
  });

  it('fails the same way for an email with no account, changing nothing', async () => {
    const fixture = await registered();
    const notifier = new RecordingNotifier();
    notifier.failure = new DeliveryUnavailableError();
    expect(await rejection(requestReset(fixture, notifier)(UNKNOWN))).to.be.instanceOf(DeliveryUnavailableError);
    expect(noAccountSent(notifier)).to.deep.equal([UNKNOWN]);
    expect(await fixture.users.findByEmail(UNKNOWN)).to.equal(null);
  });

  it('answers with the store’s error when clearing the token fails too', async () => {
    const fixture = await registered();
    const notifier = new RecordingNotifier();
    notifier.failure = new DeliveryUnavailableError();
    const users: UserRepository = Object.assign(Object.create(fixture.users) as UserRepository, {
      clearResetToken: async () => {
        throw new StoreUnavailableError();
      },
    });
    expect(await rejection(requestReset(fixture, notifier, { users })(EMAIL))).to.be.instanceOf(StoreUnavailableError);
  });

  it('is rate-limited before anything is stored or sent', async () => {
    const fixture = await registered();
    const notifier = new RecordingNotifier();
    const refuse: RateLimiter = { hit: async () => ({ allowed: false, retryAfterMs: 60_000 }), reset: async () => undefined };
    const reset = requestReset(fixture, notifier, { limiter: refuse });
    expect(await rejection(reset(EMAIL))).to.be.instanceOf(TooManyAttemptsError);
    expect(await rejection(reset(UNKNOWN))).to.be.instanceOf(TooManyAttemptsError);
    expect(resetsSent(notifier)).to.deep.equal([]);
    expect(noAccountSent(notifier)).to.deep.equal([]);
    expect((await fixture.users.findByEmail(EMAIL))?.resetTokenHash).to.equal(null);
  });
});
