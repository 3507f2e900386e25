import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidCredentialsError, TooManyAttemptsError } from '../../src/domain/errors.js';
import { rejection } from '../support/rejection.js';
import {
  ADDRESS,
  EMAIL,
  PASSWORD,
  describeUseCasesForEachStore,
  type FixtureFactory,
  type UseCaseFixture,
} from '../support/use-case-fixture.js';

const ATTACKER = '203.0.113.66';
const WRONG = 'wrong password';

function logIn(fixture: UseCaseFixture, password: string, clientAddress = ADDRESS) {
  return fixture.logIn.execute({ email: EMAIL, password, clientAddress });
}

async function resetToken(fixture: UseCaseFixture, clientAddress = ADDRESS): Promise<string> {
  const { resetToken: token } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress });
  if (token === undefined) throw new Error('no reset token in the response');
  return token;
}

function reset(fixture: UseCaseFixture, token: string, clientAddress: string) {
  return fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: 'a brand new password', clientAddress });
}

describeUseCasesForEachStore('rate limiting', (useCaseFixture: FixtureFactory) => {
  async function registered(env: Record<string, string> = {}): Promise<UseCaseFixture> {
    const fixture = await useCaseFixture({ env });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    return fixture;
  }

  describe('failed log-ins per account and address (5 per 15 minutes by default)', () => {
    it('refuses the 6th attempt after 5 failures, even with the right password, saying when to retry', async () => {
      const fixture = await registered();
      for (let i = 0; i < 5; i += 1) expect(await rejection(logIn(fixture, WRONG))).to.be.instanceOf(InvalidCredentialsError);
      const refused = await rejection(logIn(fixture, PASSWORD));
      expect(refused).to.be.instanceOf(TooManyAttemptsError);
      expect((refused as TooManyAttemptsError).retryAfterSeconds).to.be.within(890, 900);
    });

    it('does not let an attacker elsewhere shut the owner out', async () => {
      const fixture = await registered();
      for (let i = 0; i < 10; i += 1) await rejection(logIn(fixture, WRONG, ATTACKER));
      expect(await rejection(logIn(fixture, PASSWORD, ATTACKER))).to.be.instanceOf(TooManyAttemptsError);
      expect((await logIn(fixture, PASSWORD)).email).to.equal(EMAIL);
    });

    it('forgets the failures after a successful log-in', async () => {
      const fixture = await registered();
      for (let i = 0; i < 4; i += 1) await rejection(logIn(fixture, WRONG));
      await logIn(fixture, PASSWORD);
      for (let i = 0; i < 4; i += 1) expect(await rejection(logIn(fixture, WRONG))).to.be.instanceOf(InvalidCredentialsError);
      expect((await logIn(fixture, PASSWORD)).email).to.equal(EMAIL);
    });

    it('counts parallel guesses before checking them, so none slips past the limit', async () => {
      const fixture = await registered();
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => logIn(fixture, WRONG)));
      const reasons = outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error).constructor.name : 'ok'));
      expect(reasons.filter((name) => name === 'InvalidCredentialsError')).to.have.length(5);
      expect(reasons.filter((name) => name === 'TooManyAttemptsError')).to.have.length(15);
    });

    it('ends with the window: rate limiting, not a lock-out', async function () {
      this.timeout(10_000);
      const fixture = await registered({ RATE_LIMIT_LOGIN_FAILURES: '2/1s' });
      await rejection(logIn(fixture, WRONG));
      await rejection(logIn(fixture, WRONG));
      expect(await rejection(logIn(fixture, PASSWORD))).to.be.instanceOf(TooManyAttemptsError);
      await sleep(1100);
      expect((await logIn(fixture, PASSWORD)).email).to.equal(EMAIL);
    });
  });

  it('forgets the account-wide failures after a successful log-in', async () => {
    const fixture = await registered({ RATE_LIMIT_ACCOUNT_LOGIN_FAILURES: '6/1h' });
    for (let i = 0; i < 5; i += 1) await rejection(logIn(fixture, WRONG, `198.51.100.${i}`));
    await logIn(fixture, PASSWORD);
    for (let i = 10; i < 15; i += 1) await rejection(logIn(fixture, WRONG, `198.51.100.${i}`));
    // Ten failures in all, over the ceiling of six, but never six since the success.
    expect((await logIn(fixture, PASSWORD, '198.51.100.99')).email).to.equal(EMAIL);
  });

  it('bounds failed log-ins on one account from all addresses together (RATE_LIMIT_ACCOUNT_LOGIN_FAILURES)', async () => {
    const fixture = await registered({ RATE_LIMIT_ACCOUNT_LOGIN_FAILURES: '6/1h' });
    for (let i = 0; i < 6; i += 1) await rejection(logIn(fixture, WRONG, `198.51.100.${i}`));
    expect(await rejection(logIn(fixture, PASSWORD, '198.51.100.99'))).to.be.instanceOf(TooManyAttemptsError);
  });

  it('limits registration and reset requests per account and address (RATE_LIMIT_ACCOUNT), each action on its own', async () => {
    const fixture = await registered({ RATE_LIMIT_ACCOUNT: '2/15m' });
    const requestReset = (email: string, clientAddress = ADDRESS) => fixture.requestPasswordReset.execute({ email, clientAddress });
    await requestReset(EMAIL);
    await requestReset(EMAIL);
    expect(await rejection(requestReset(EMAIL))).to.be.instanceOf(TooManyAttemptsError);
    expect(await rejection(requestReset('other@example.com')), 'another account is not affected').not.to.be.instanceOf(
      TooManyAttemptsError,
    );
    expect((await requestReset(EMAIL, ATTACKER)).email, 'another address is not affected').to.equal(EMAIL);

    const register = () => fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    await rejection(register());
    expect(await rejection(register()), 'the first registration counted too').to.be.instanceOf(TooManyAttemptsError);
  });

  describe('reset requests and reset tokens: a stranger cannot block the owner', () => {
    it('lets the owner ask for a reset from their address after a stranger used up the limit elsewhere', async () => {
      const fixture = await registered({ RATE_LIMIT_ACCOUNT: '3/15m' });
      for (let i = 0; i < 3; i += 1) await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ATTACKER });
      expect(await rejection(fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ATTACKER }))).to.be.instanceOf(
        TooManyAttemptsError,
      );
      expect(await resetToken(fixture)).to.be.a('string');
    });

    it('counts wrong tokens per account and address (RATE_LIMIT_LOGIN_FAILURES), before checking them', async () => {
      const fixture = await registered();
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => reset(fixture, 'guess', ATTACKER)));
      const reasons = outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error).constructor.name : 'ok'));
      expect(reasons.filter((name) => name === 'InvalidResetTokenError')).to.have.length(5);
      expect(reasons.filter((name) => name === 'TooManyAttemptsError')).to.have.length(15);
    });

    it('accepts the owner’s valid token from their address after 40 bogus tokens from another', async () => {
      const fixture = await registered();
      for (let i = 0; i < 40; i += 1) await rejection(reset(fixture, `guess-${i}`, ATTACKER));
      const token = await resetToken(fixture);
      expect((await reset(fixture, token, ADDRESS)).email).to.equal(EMAIL);
    });

    it('refuses wrong tokens beyond the account-wide ceiling, but never a valid one', async () => {
      const fixture = await registered({ RATE_LIMIT_ACCOUNT_LOGIN_FAILURES: '3/1h' });
      for (let i = 0; i < 3; i += 1) await rejection(reset(fixture, 'guess', `198.51.100.${i}`));
      expect(await rejection(reset(fixture, 'guess', '198.51.100.50'))).to.be.instanceOf(TooManyAttemptsError);
      const token = await resetToken(fixture);
      expect((await reset(fixture, token, '198.51.100.51')).email).to.equal(EMAIL);
      // The ceiling on reset tokens is not the one on log-ins: the owner can still log in.
      expect((await logIn(fixture, 'a brand new password')).email).to.equal(EMAIL);
    });

    it('forgets an address’s wrong tokens once it resets successfully', async () => {
      const fixture = await registered();
      for (let i = 0; i < 4; i += 1) await rejection(reset(fixture, 'typo', ADDRESS));
      expect((await reset(fixture, await resetToken(fixture), ADDRESS)).email).to.equal(EMAIL);
      for (let i = 0; i < 4; i += 1) await rejection(reset(fixture, 'typo', ADDRESS));
      expect((await reset(fixture, await resetToken(fixture), ADDRESS)).email).to.equal(EMAIL);
    });

    it('does not let registrations from elsewhere block the owner’s own registration', async () => {
      const fixture = await registered({ RATE_LIMIT_ACCOUNT: '2/15m' });
      const register = (clientAddress: string, password: string) =>
        fixture.registerUser.execute({ email: 'bob@example.com', password, clientAddress });
      for (let i = 0; i < 2; i += 1) await rejection(register(ATTACKER, 'short'));
      expect(await rejection(register(ATTACKER, PASSWORD))).to.be.instanceOf(TooManyAttemptsError);
      expect((await register(ADDRESS, PASSWORD)).email).to.equal('bob@example.com');
    });
  });

  describe('verification and email change', () => {
    const verify = (fixture: UseCaseFixture, verificationToken: string, clientAddress: string) =>
      fixture.verifyEmail.execute({ email: EMAIL, verificationToken, clientAddress });

    it('limits verification requests per account and address (RATE_LIMIT_ACCOUNT), apart from reset requests', async () => {
      const fixture = await registered({ RATE_LIMIT_ACCOUNT: '2/15m' });
      const request = (clientAddress = ADDRESS) => fixture.requestEmailVerification.execute({ email: EMAIL, clientAddress });
      await request();
      await request();
      expect(await rejection(request())).to.be.instanceOf(TooManyAttemptsError);
      expect((await request(ATTACKER)).email, 'another address is not affected').to.equal(EMAIL);
      expect((await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS })).email).to.equal(EMAIL);
    });

    it('limits email-change requests per account and address, counted after the password', async () => {
      const fixture = await registered({ RATE_LIMIT_ACCOUNT: '2/15m' });
      const { sessionToken } = await logIn(fixture, PASSWORD);
      const change = (newEmail: string) =>
        fixture.changeEmail.execute({ sessionToken, password: PASSWORD, newEmail, clientAddress: ADDRESS });
      await change('one@example.com');
      await change('two@example.com');
      expect(await rejection(change('three@example.com'))).to.be.instanceOf(TooManyAttemptsError);
    });

    it('counts wrong verification tokens per account and address, and never refuses the owner’s for a stranger’s', async () => {
      const fixture = await registered({ RATE_LIMIT_LOGIN_FAILURES: '3/15m', RATE_LIMIT_ACCOUNT_LOGIN_FAILURES: '5/1h' });
      for (let i = 0; i < 3; i += 1) await rejection(verify(fixture, 'guess', ATTACKER));
      expect(await rejection(verify(fixture, 'guess', ATTACKER))).to.be.instanceOf(TooManyAttemptsError);
      for (let i = 0; i < 5; i += 1) await rejection(verify(fixture, 'guess', `198.51.100.${i}`));
      expect(await rejection(verify(fixture, 'guess', '198.51.100.50')), 'beyond the ceiling').to.be.instanceOf(TooManyAttemptsError);
      const { verificationToken } = await fixture.requestEmailVerification.execute({ email: EMAIL, clientAddress: ADDRESS });
      expect((await verify(fixture, verificationToken ?? '', ADDRESS)).email).to.equal(EMAIL);
      // Their own counts: neither log-ins nor resets are refused for the guessed verification tokens.
      expect((await logIn(fixture, PASSWORD, ATTACKER)).email).to.equal(EMAIL);
      expect((await reset(fixture, await resetToken(fixture), ATTACKER)).email).to.equal(EMAIL);
    });
  });

  it('limits all authentication requests from one address (RATE_LIMIT_ADDRESS), whatever they ask', async () => {
    const fixture = await registered({ RATE_LIMIT_ADDRESS: '3/1m' });
    await rejection(fixture.registerUser.execute({ email: 'not an email', password: PASSWORD, clientAddress: ATTACKER }));
    await rejection(fixture.requestPasswordReset.execute({ email: 'nobody@example.com', clientAddress: ATTACKER }));
    await rejection(logIn(fixture, WRONG, ATTACKER));
    expect(await rejection(logIn(fixture, PASSWORD, ATTACKER))).to.be.instanceOf(TooManyAttemptsError);
    for (const attempt of [
      fixture.requestEmailVerification.execute({ email: EMAIL, clientAddress: ATTACKER }),
      fixture.verifyEmail.execute({ email: EMAIL, verificationToken: 'x', clientAddress: ATTACKER }),
      fixture.changeEmail.execute({ sessionToken: 'x', password: PASSWORD, newEmail: 'a@example.com', clientAddress: ATTACKER }),
    ]) {
      expect(await rejection(attempt)).to.be.instanceOf(TooManyAttemptsError);
    }
    expect((await logIn(fixture, PASSWORD)).email, 'other addresses are not affected').to.equal(EMAIL);
  });

  it('counts nothing with RATE_LIMIT=off', async () => {
    const fixture = await registered({ RATE_LIMIT: 'off' });
    for (let i = 0; i < 30; i += 1) expect(await rejection(logIn(fixture, WRONG))).to.be.instanceOf(InvalidCredentialsError);
    expect((await logIn(fixture, PASSWORD)).email).to.equal(EMAIL);
  });
});
