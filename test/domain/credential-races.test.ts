import { expect } from 'chai';
import { InvalidResetTokenError, InvalidSessionError, StoreUnavailableError } from '../../src/domain/errors.js';
import { TOKENS } from '../../src/app/tokens.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import { HeldHasher } from '../support/held-hasher.js';
import { rejection } from '../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore, type UseCaseFixture } from '../support/use-case-fixture.js';

const NEW_PASSWORD = 'a brand new password';

async function requestToken(fixture: UseCaseFixture): Promise<string> {
  const { resetToken } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
  if (resetToken === undefined) throw new Error('the response notifier should hand the token back');
  return resetToken;
}

describeUseCasesForEachStore('a log-in and a reset that interleave', (useCaseFixture) => {
  async function registered() {
    const hasher = new HeldHasher();
    const fixture = await useCaseFixture({ hasher });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    return { ...fixture, hasher };
  }

  it('leaves no live session for a log-in with the old password whose comparison ran while the reset committed', async () => {
    const fixture = await registered();
    const token = await requestToken(fixture);
    const comparison = fixture.hasher.holdNext('verify');
    const logIn = fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: '198.51.100.7' });
    await comparison.started;
    // The user was read (old hash, old version) and the comparison is under way: the reset commits now.
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
    fixture.clock.advance(1000);
    comparison.release();
    const { sessionToken } = await logIn;
    expect(await rejection(fixture.getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    // While a log-in with the new password, afterwards, works.
    const fresh = await fixture.logIn.execute({ email: EMAIL, password: NEW_PASSWORD, clientAddress: ADDRESS });
    expect(await fixture.getProfile.execute({ sessionToken: fresh.sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
  });

  it('still refuses it when the reset is at the same instant as the registration (the version, not the clock, decides)', async () => {
    const fixture = await registered();
    const token = await requestToken(fixture);
    const comparison = fixture.hasher.holdNext('verify');
    const logIn = fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    await comparison.started;
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
    comparison.release();
    const { sessionToken } = await logIn;
    expect(await rejection(fixture.getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
  });

  it('keeps a session made with the new password while a reset’s hash is held', async () => {
    const fixture = await registered();
    const token = await requestToken(fixture);
    const before = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const hashing = fixture.hasher.holdNext('hash');
    const reset = fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
    await hashing.started;
    // Not committed yet: the session made before is still good.
    expect(await fixture.getProfile.execute({ sessionToken: before.sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
    hashing.release();
    await reset;
    expect(await rejection(fixture.getProfile.execute({ sessionToken: before.sessionToken }))).to.be.instanceOf(InvalidSessionError);
  });
});

/** Once armed, the next consumeResetToken is applied and then answered as a store that froze would: unavailable. */
function losingOneAnswer(users: UserRepository): { users: UserRepository; arm(): void } {
  let armed = false;
  const wrapped = new Proxy(users, {
    get(target, property, receiver) {
      if (property !== 'consumeResetToken') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<UserRepository['consumeResetToken']>) => {
        const result = await target.consumeResetToken(...args);
        if (!armed) return result;
        armed = false;
        throw new StoreUnavailableError();
      };
    },
  });
  return { users: wrapped, arm: () => (armed = true) };
}

describeUseCasesForEachStore('repeating a reset whose answer was lost', (useCaseFixture) => {
  async function lostReset() {
    let arm = (): void => undefined;
    const fixture = await useCaseFixture({
      configure: (container) => {
        const flaky = losingOneAnswer(container.get(TOKENS.UserRepository));
        arm = () => flaky.arm();
        container.rebind(TOKENS.UserRepository).toConstantValue(flaky.users);
      },
    });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const token = await requestToken(fixture);
    const session = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    arm();
    const lost = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
    );
    expect(lost).to.be.instanceOf(StoreUnavailableError);
    return { ...fixture, token, session };
  }

  it('answers 200 to the same email, token and new password, and the new password is the one that works', async () => {
    const fixture = await lostReset();
    const repeated = await fixture.resetPassword.execute({
      email: EMAIL,
      resetToken: fixture.token,
      newPassword: NEW_PASSWORD,
      clientAddress: ADDRESS,
    });
    expect(repeated).to.deep.equal({ email: EMAIL });
    expect(await rejection(fixture.getProfile.execute({ sessionToken: fixture.session.sessionToken }))).to.be.instanceOf(
      InvalidSessionError,
    );
    expect((await fixture.logIn.execute({ email: EMAIL, password: NEW_PASSWORD, clientAddress: ADDRESS })).email).to.equal(EMAIL);
    // And again: still the same answer, still nothing changed.
    expect(
      await fixture.resetPassword.execute({ email: EMAIL, resetToken: fixture.token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
    ).to.deep.equal({ email: EMAIL });
  });

  it('lets nobody else use the spent token: another new password is refused and changes nothing', async () => {
    const fixture = await lostReset();
    const other = await rejection(
      fixture.resetPassword.execute({
        email: EMAIL,
        resetToken: fixture.token,
        newPassword: 'attacker chosen password',
        clientAddress: '203.0.113.9',
      }),
    );
    expect(other).to.be.instanceOf(InvalidResetTokenError);
    expect((await fixture.logIn.execute({ email: EMAIL, password: NEW_PASSWORD, clientAddress: ADDRESS })).email).to.equal(EMAIL);
  });

  it('honours the repeat only until the token would have expired', async () => {
    const fixture = await lostReset();
    fixture.clock.advance(30 * 60 * 1000);
    const late = await rejection(
      fixture.resetPassword.execute({ email: EMAIL, resetToken: fixture.token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
    );
    expect(late).to.be.instanceOf(InvalidResetTokenError);
  });

  it('answers both of two identical resets sent at once with 200', async () => {
    const fixture = await useCaseFixture();
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const token = await requestToken(fixture);
    const results = await Promise.all(
      [1, 2].map(() =>
        fixture.resetPassword.execute({ email: EMAIL, resetToken: token, newPassword: NEW_PASSWORD, clientAddress: ADDRESS }),
      ),
    );
    expect(results).to.deep.equal([{ email: EMAIL }, { email: EMAIL }]);
  });
});
