import { expect } from 'chai';
import { BcryptPasswordHasher } from '../../../src/adapters/password-hashing/bcrypt-password-hasher.js';
import { EmailNotVerifiedError, InvalidCredentialsError, InvalidInputError } from '../../../src/domain/errors.js';
import type { PasswordHasher } from '../../../src/domain/ports/password-hasher.js';
import { digestToken } from '../../../src/domain/rules/secret-token.js';
import { DAY } from '../../support/manual-clock.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore, useCaseFixture } from '../../support/use-case-fixture.js';

/** Records every bcrypt comparison, to show what work a log-in does. */
class RecordingHasher implements PasswordHasher {
  readonly verified: string[] = [];
  hashed = 0;
  private readonly inner = new BcryptPasswordHasher(4);

  hash(password: string): Promise<string> {
    this.hashed += 1;
    return this.inner.hash(password);
  }

  verify(password: string, hash: string): Promise<boolean> {
    this.verified.push(hash);
    return this.inner.verify(password, hash);
  }

  needsRehash(hash: string): boolean {
    return this.inner.needsRehash(hash);
  }
}

describe('LogIn', () => {
  it('creates a session for the right password, with the normalised email', async () => {
    const { registerUser, logIn, sessions, clock } = await useCaseFixture();
    await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const result = await logIn.execute({ email: ' ALICE@example.com', password: PASSWORD, clientAddress: ADDRESS });
    expect(result.email).to.equal(EMAIL);
    expect(result.expiresAt.getTime()).to.equal(clock.now().getTime() + 14 * DAY);
    const stored = await sessions.findById(digestToken(result.sessionToken));
    expect(stored?.createdAt.getTime()).to.equal(clock.now().getTime());
  });

  it('refuses a wrong password and an unknown email with the same error', async () => {
    const { registerUser, logIn } = await useCaseFixture();
    await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const wrong = await rejection(logIn.execute({ email: EMAIL, password: 'wrong password', clientAddress: ADDRESS }));
    const unknown = await rejection(logIn.execute({ email: 'nobody@example.com', password: PASSWORD, clientAddress: ADDRESS }));
    expect(wrong).to.be.instanceOf(InvalidCredentialsError);
    expect(unknown).to.be.instanceOf(InvalidCredentialsError);
    expect(unknown.message).to.equal(wrong.message);
  });

  describe('session token', () => {
    it('is URL-safe, carries at least 128 bits, and is stored only as its SHA-256 digest', async () => {
      const { registerUser, logIn, sessions } = await useCaseFixture();
      await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      const { sessionToken } = await logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      expect(sessionToken).to.match(/^[A-Za-z0-9_-]+$/);
      expect(sessionToken.length * 6).to.be.at.least(128);
      expect(await sessions.findById(sessionToken)).to.equal(null);
      const stored = await sessions.findById(digestToken(sessionToken));
      expect(stored).not.to.equal(null);
      expect(JSON.stringify(stored)).not.to.contain(sessionToken);
    });

    it('lasts SESSION_TTL', async () => {
      const { registerUser, logIn, clock } = await useCaseFixture({ env: { SESSION_TTL: '2h' } });
      await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      const { expiresAt } = await logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      expect(expiresAt.getTime() - clock.now().getTime()).to.equal(2 * 3600 * 1000);
    });
  });

  describe('no session fixation', () => {
    it('creates a fresh session at every log-in, keeping the others (several devices)', async () => {
      const { registerUser, logIn, getProfile } = await useCaseFixture();
      await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      const tokens = new Set<string>();
      for (let i = 0; i < 5; i += 1)
        tokens.add((await logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).sessionToken);
      expect(tokens.size).to.equal(5);
      for (const sessionToken of tokens)
        expect(await getProfile.execute({ sessionToken })).to.deep.equal({ email: EMAIL, emailVerified: false });
    });
  });

  describe('no account enumeration', () => {
    it('makes an unknown email pay for one bcrypt comparison at the configured cost, like a wrong password', async () => {
      const hasher = new RecordingHasher();
      const { registerUser, logIn } = await useCaseFixture({ hasher });
      await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });

      await rejection(logIn.execute({ email: EMAIL, password: 'wrong password', clientAddress: ADDRESS }));
      await rejection(logIn.execute({ email: 'nobody@example.com', password: PASSWORD, clientAddress: ADDRESS }));
      await rejection(logIn.execute({ email: 'nobody-else@example.com', password: PASSWORD, clientAddress: ADDRESS }));

      expect(hasher.verified).to.have.length(3);
      const [real, dummy, dummyAgain] = hasher.verified;
      const costOf = (hash: string | undefined) => hash?.slice(0, 7);
      expect(costOf(dummy)).to.equal(costOf(real)).and.to.equal('$2b$04$');
      // The dummy hash is computed once, not at every unknown email.
      expect(dummyAgain).to.equal(dummy);
    });

    it('has the dummy hash ready before the first log-in, so the first unknown email costs one comparison and no hash', async () => {
      const hasher = new RecordingHasher();
      const { logIn } = await useCaseFixture({ hasher });
      await rejection(logIn.execute({ email: 'nobody@example.com', password: PASSWORD, clientAddress: ADDRESS }));
      expect(hasher.verified).to.have.length(1);
      expect(hasher.hashed, 'made at start-up, not at the first log-in').to.equal(0);
    });
  });

  it('refuses a password over 72 bytes at log-in as invalid input, never comparing a truncation', async () => {
    const hasher = new RecordingHasher();
    const { logIn } = await useCaseFixture({ hasher });
    const error = await rejection(logIn.execute({ email: EMAIL, password: 'x'.repeat(73), clientAddress: ADDRESS }));
    expect(error).to.be.instanceOf(InvalidInputError).with.property('field', 'password');
    expect(hasher.verified).to.have.length(0);
  });

  it('does not apply the minimum length at log-in (raising it must not lock out older accounts)', async () => {
    const { registerUser, logIn } = await useCaseFixture();
    await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const error = await rejection(logIn.execute({ email: EMAIL, password: 'abc', clientAddress: ADDRESS }));
    expect(error).to.be.instanceOf(InvalidCredentialsError);
  });
});

describeUseCasesForEachStore('LogIn: EMAIL_VERIFICATION=required', (useCaseFixture) => {
  it('refuses an unverified account only after the right password, and logs it in once verified', async () => {
    const fixture = await useCaseFixture({ env: { EMAIL_VERIFICATION: 'required' } });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const wrong = await rejection(fixture.logIn.execute({ email: EMAIL, password: 'wrong password', clientAddress: ADDRESS }));
    expect(wrong).to.be.instanceOf(InvalidCredentialsError);
    const unverified = await rejection(fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS }));
    expect(unverified).to.be.instanceOf(EmailNotVerifiedError);
    expect(await fixture.sessions.listForUser((await fixture.users.findByEmail(EMAIL))?.id ?? '')).to.deep.equal([]);
    const { verificationToken } = await fixture.requestEmailVerification.execute({ email: EMAIL, clientAddress: ADDRESS });
    await fixture.verifyEmail.execute({ email: EMAIL, verificationToken: verificationToken ?? '', clientAddress: ADDRESS });
    expect((await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).email).to.equal(EMAIL);
  });

  it('lets an unverified account log in with optional', async () => {
    const fixture = await useCaseFixture({ env: { EMAIL_VERIFICATION: 'optional' } });
    await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    expect((await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).email).to.equal(EMAIL);
  });
});
