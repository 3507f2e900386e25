import bcrypt from 'bcrypt';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { BcryptPasswordHasher } from '../../../src/adapters/password-hashing/bcrypt-password-hasher.js';
import { InvalidCredentialsError, InvalidSessionError } from '../../../src/domain/errors.js';
import { HeldHasher } from '../../support/held-hasher.js';
import { userRecord } from '../../support/records.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore, type UseCaseFixture } from '../../support/use-case-fixture.js';

const NEW_PASSWORD = 'a brand new password';

/** A user stored as an earlier run left it: its hash made at `cost`, whatever BCRYPT_COST is now. */
async function storedWithCost(fixture: UseCaseFixture, cost: number): Promise<string> {
  const user = userRecord(randomUUID(), EMAIL, fixture.clock.now(), {
    passwordHash: await new BcryptPasswordHasher(cost).hash(PASSWORD),
    passwordVersion: 2,
  });
  await fixture.users.add(user);
  return user.id;
}

describeUseCasesForEachStore('LogIn: hashes made with another BCRYPT_COST are upgraded', (useCaseFixture) => {
  for (const [was, now] of [
    [4, 5],
    [6, 5],
  ] as const) {
    it(`re-hashes a cost-${was} hash at cost ${now} on the next log-in, keeping the password and its sessions`, async () => {
      const fixture = await useCaseFixture({ env: { BCRYPT_COST: String(now) } });
      const id = await storedWithCost(fixture, was);
      const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      const upgraded = await fixture.users.findById(id);
      expect(bcrypt.getRounds(upgraded?.passwordHash ?? '')).to.equal(now);
      expect(upgraded?.passwordVersion, 'not a password change').to.equal(2);
      expect(await fixture.getProfile.execute({ sessionToken }), 'the session of that very log-in').to.deep.equal({
        email: EMAIL,
        emailVerified: false,
      });
      await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      expect((await fixture.users.findById(id))?.passwordHash, 'once is enough').to.equal(upgraded?.passwordHash);
    });
  }

  it('leaves a hash at the configured cost, and any hash after a wrong password, as it is', async () => {
    const fixture = await useCaseFixture({ env: { BCRYPT_COST: '5' } });
    const current = await storedWithCost(fixture, 5);
    const stored = (await fixture.users.findById(current))?.passwordHash;
    await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    expect((await fixture.users.findById(current))?.passwordHash).to.equal(stored);

    const other = await useCaseFixture({ env: { BCRYPT_COST: '5' } });
    const old = await storedWithCost(other, 4);
    const before = (await other.users.findById(old))?.passwordHash;
    expect(await rejection(other.logIn.execute({ email: EMAIL, password: 'not the password', clientAddress: ADDRESS }))).to.be.instanceOf(
      InvalidCredentialsError,
    );
    expect((await other.users.findById(old))?.passwordHash).to.equal(before);
  });

  it('lets a reset that commits while the upgrade hashes win: its password stays, the log-in’s session dies', async () => {
    // HeldHasher hashes at cost 4: a cost-5 hash is one to upgrade.
    const hasher = new HeldHasher();
    const fixture = await useCaseFixture({ hasher });
    const id = await storedWithCost(fixture, 5);
    const { resetToken } = await fixture.requestPasswordReset.execute({ email: EMAIL, clientAddress: ADDRESS });
    const rehash = hasher.holdNext('hash');
    const logIn = fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: '198.51.100.7' });
    await rehash.started;
    // The old password was checked and its new hash is being made: the reset commits now.
    await fixture.resetPassword.execute({ email: EMAIL, resetToken: resetToken ?? '', newPassword: NEW_PASSWORD, clientAddress: ADDRESS });
    const afterReset = (await fixture.users.findById(id))?.passwordHash;
    rehash.release();
    const { sessionToken } = await logIn;
    expect((await fixture.users.findById(id))?.passwordHash, 'the reset’s hash, not the upgrade’s').to.equal(afterReset);
    expect(await rejection(fixture.getProfile.execute({ sessionToken }))).to.be.instanceOf(InvalidSessionError);
    await fixture.logIn.execute({ email: EMAIL, password: NEW_PASSWORD, clientAddress: ADDRESS });
    expect(await rejection(fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS }))).to.be.instanceOf(
      InvalidCredentialsError,
    );
  });
});
