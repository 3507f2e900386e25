import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidCredentialsError, TooManyAttemptsError } from '../../src/domain/errors.js';
import { rejection } from '../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, useCaseFixture, type UseCaseFixture } from '../support/use-case-fixture.js';

const ATTACKER = '203.0.113.66';
const WRONG = 'wrong password';

async function registered(env: Record<string, string> = {}): Promise<UseCaseFixture> {
  const fixture = await useCaseFixture({ env });
  await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
  return fixture;
}

function logIn(fixture: UseCaseFixture, password: string, clientAddress = ADDRESS) {
  return fixture.logIn.execute({ email: EMAIL, password, clientAddress });
}

describe('throttling', () => {
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

    it('ends with the window: throttling, not a lock-out', async function () {
      this.timeout(10_000);
      const fixture = await registered({ RATE_LIMIT_LOGIN_FAILURES: '2/1s' });
      await rejection(logIn(fixture, WRONG));
      await rejection(logIn(fixture, WRONG));
      expect(await rejection(logIn(fixture, PASSWORD))).to.be.instanceOf(TooManyAttemptsError);
      await sleep(1100);
      expect((await logIn(fixture, PASSWORD)).email).to.equal(EMAIL);
    });
  });

  it('bounds failed log-ins on one account from all addresses together (RATE_LIMIT_ACCOUNT_LOGIN_FAILURES)', async () => {
    const fixture = await registered({ RATE_LIMIT_ACCOUNT_LOGIN_FAILURES: '6/1h' });
    for (let i = 0; i < 6; i += 1) await rejection(logIn(fixture, WRONG, `198.51.100.${i}`));
    expect(await rejection(logIn(fixture, PASSWORD, '198.51.100.99'))).to.be.instanceOf(TooManyAttemptsError);
  });

  it('limits registration and reset requests per account (RATE_LIMIT_ACCOUNT), each action on its own', async () => {
    const fixture = await registered({ RATE_LIMIT_ACCOUNT: '2/15m' });
    const requestReset = (email: string) => fixture.requestPasswordReset.execute({ email, clientAddress: ADDRESS });
    await requestReset(EMAIL);
    await requestReset(EMAIL);
    expect(await rejection(requestReset(EMAIL))).to.be.instanceOf(TooManyAttemptsError);
    expect(await rejection(requestReset('other@example.com')), 'another account is not affected').not.to.be.instanceOf(TooManyAttemptsError);

    const reset = () => fixture.resetPassword.execute({ email: EMAIL, resetToken: 'guess', newPassword: 'new password', clientAddress: ADDRESS });
    await rejection(reset());
    await rejection(reset());
    expect(await rejection(reset())).to.be.instanceOf(TooManyAttemptsError);

    const register = () => fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    await rejection(register());
    expect(await rejection(register()), 'the first registration counted too').to.be.instanceOf(TooManyAttemptsError);
  });

  it('limits all authentication requests from one address (RATE_LIMIT_ADDRESS), whatever they ask', async () => {
    const fixture = await registered({ RATE_LIMIT_ADDRESS: '3/1m' });
    await rejection(fixture.registerUser.execute({ email: 'not an email', password: PASSWORD, clientAddress: ATTACKER }));
    await rejection(fixture.requestPasswordReset.execute({ email: 'nobody@example.com', clientAddress: ATTACKER }));
    await rejection(logIn(fixture, WRONG, ATTACKER));
    expect(await rejection(logIn(fixture, PASSWORD, ATTACKER))).to.be.instanceOf(TooManyAttemptsError);
    expect((await logIn(fixture, PASSWORD)).email, 'other addresses are not affected').to.equal(EMAIL);
  });

  it('counts nothing with RATE_LIMIT=off', async () => {
    const fixture = await registered({ RATE_LIMIT: 'off' });
    for (let i = 0; i < 30; i += 1) expect(await rejection(logIn(fixture, WRONG))).to.be.instanceOf(InvalidCredentialsError);
    expect((await logIn(fixture, PASSWORD)).email).to.equal(EMAIL);
  });
});
