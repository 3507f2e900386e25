import { expect } from 'chai';
import { EmailAlreadyRegisteredError, InvalidInputError } from '../../../src/domain/errors.js';
import { BcryptPasswordHasher } from '../../../src/adapters/password-hashing/bcrypt-password-hasher.js';
import { RecordingNotifier } from '../../support/recording-notifier.js';
import { rejection } from '../../support/rejection.js';
import { ADDRESS, EMAIL, PASSWORD, describeUseCasesForEachStore, useCaseFixture } from '../../support/use-case-fixture.js';

/** The test hasher, counting the hashes it makes. */
class CountingHasher extends BcryptPasswordHasher {
  hashes = 0;

  constructor() {
    super(4);
  }

  override hash(...args: Parameters<BcryptPasswordHasher['hash']>): ReturnType<BcryptPasswordHasher['hash']> {
    this.hashes += 1;
    return super.hash(...args);
  }
}

describe('RegisterUser', () => {
  describe('email', () => {
    it('trims and lower-cases the email, which is the identity of the account', async () => {
      const { registerUser, users } = await useCaseFixture();
      const result = await registerUser.execute({ email: '  Alice@Example.COM ', password: PASSWORD, clientAddress: ADDRESS });
      expect(result).to.deep.equal({ email: EMAIL });
      expect((await users.findByEmail(EMAIL))?.email).to.equal(EMAIL);
      const again = await rejection(registerUser.execute({ email: 'ALICE@example.com', password: PASSWORD, clientAddress: ADDRESS }));
      expect(again).to.be.instanceOf(EmailAlreadyRegisteredError);
    });

    it('accepts an address of exactly 254 characters and rejects 255', async () => {
      const { registerUser } = await useCaseFixture();
      const domain = `${['d', 'e', 'f', 'g'].map((c) => c.repeat(60)).join('.')}.com`;
      const at254 = `${'a'.repeat(254 - 1 - domain.length)}@${domain}`;
      expect(at254).to.have.length(254);
      await registerUser.execute({ email: at254, password: PASSWORD, clientAddress: ADDRESS });
      const error = await rejection(registerUser.execute({ email: `a${at254}`, password: PASSWORD, clientAddress: ADDRESS }));
      expect(error).to.be.instanceOf(InvalidInputError).with.property('field', 'email');
      expect(error.message).to.equal('email must be at most 254 characters');
    });

    for (const bad of [
      '',
      '   ',
      'alice',
      'alice@',
      '@example.com',
      'a@b@example.com',
      'al ice@example.com',
      'alice@exa mple.com',
      'alice@-example.com',
      'alice@example..com',
      'alice\0@example.com',
      `${'l'.repeat(65)}@example.com`,
    ]) {
      it(`rejects ${JSON.stringify(bad)} as an email, naming the field`, async () => {
        const { registerUser } = await useCaseFixture();
        const error = await rejection(registerUser.execute({ email: bad, password: PASSWORD, clientAddress: ADDRESS }));
        expect(error).to.be.instanceOf(InvalidInputError).with.property('field', 'email');
      });
    }

    it('accepts the usual shapes of address', async () => {
      const { registerUser } = await useCaseFixture();
      for (const email of ['a@b', 'first.last+tag@sub.example.co.uk', "o'brien@example.com", 'x_y-z@localhost']) {
        expect(await registerUser.execute({ email, password: PASSWORD, clientAddress: ADDRESS })).to.deep.equal({ email });
      }
    });
  });

  describe('password', () => {
    it('requires at least PASSWORD_MIN_LENGTH characters, 8 by default', async () => {
      const { registerUser } = await useCaseFixture();
      const error = await rejection(registerUser.execute({ email: EMAIL, password: '1234567', clientAddress: ADDRESS }));
      expect(error).to.be.instanceOf(InvalidInputError).with.property('field', 'password');
      expect(error.message).to.equal('password must be at least 8 characters');
      await registerUser.execute({ email: EMAIL, password: '12345678', clientAddress: ADDRESS });

      const strict = await useCaseFixture({ env: { PASSWORD_MIN_LENGTH: '12' } });
      const short = await rejection(strict.registerUser.execute({ email: EMAIL, password: '12345678901', clientAddress: ADDRESS }));
      expect(short.message).to.equal('password must be at least 12 characters');
    });

    it('counts characters, not bytes, for the minimum', async () => {
      const { registerUser } = await useCaseFixture();
      await registerUser.execute({ email: EMAIL, password: 'éééééééé', clientAddress: ADDRESS });
    });

    it('accepts 72 UTF-8 bytes and rejects 73, saying why, rather than truncating', async () => {
      const { registerUser, logIn } = await useCaseFixture();
      const at72 = 'p'.repeat(72);
      await registerUser.execute({ email: EMAIL, password: at72, clientAddress: ADDRESS });
      const error = await rejection(registerUser.execute({ email: 'bob@example.com', password: 'p'.repeat(73), clientAddress: ADDRESS }));
      expect(error).to.be.instanceOf(InvalidInputError).with.property('field', 'password');
      expect(error.message).to.contain('at most 72 bytes').and.to.contain('bcrypt');
      // The attack this prevents: a longer password sharing the first 72 bytes must not log in.
      const login = await rejection(logIn.execute({ email: EMAIL, password: `${at72}extra`, clientAddress: ADDRESS }));
      expect(login).to.be.instanceOf(InvalidInputError);
    });

    it('measures the limit in bytes: 37 two-byte characters are 74 bytes', async () => {
      const { registerUser } = await useCaseFixture();
      const error = await rejection(registerUser.execute({ email: EMAIL, password: 'é'.repeat(37), clientAddress: ADDRESS }));
      expect(error.message).to.contain('at most 72 bytes');
      await registerUser.execute({ email: EMAIL, password: 'é'.repeat(36), clientAddress: ADDRESS });
    });

    it('rejects a NUL character', async () => {
      const { registerUser } = await useCaseFixture();
      const error = await rejection(registerUser.execute({ email: EMAIL, password: 'abcd\0efgh', clientAddress: ADDRESS }));
      expect(error).to.be.instanceOf(InvalidInputError).with.property('field', 'password');
      expect(error.message).to.contain('NUL');
    });

    it('stores only a bcrypt hash at the configured cost', async () => {
      const { registerUser, users } = await useCaseFixture({ env: { BCRYPT_COST: '5' } });
      await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      const user = await users.findByEmail(EMAIL);
      expect(user?.passwordHash).to.match(/^\$2b\$05\$[./A-Za-z0-9]{53}$/);
      expect(JSON.stringify(user)).not.to.contain(PASSWORD);
    });

    it('treats composed and decomposed accents as the same password (NFKC)', async () => {
      const { registerUser, logIn } = await useCaseFixture();
      await registerUser.execute({ email: EMAIL, password: 'caf\u00e9-au-lait', clientAddress: ADDRESS });
      const session = await logIn.execute({ email: EMAIL, password: 'cafe\u0301-au-lait', clientAddress: ADDRESS });
      expect(session.email).to.equal(EMAIL);
    });
  });

  describe('one account per email', () => {
    it('lets exactly one of two concurrent registrations of one email succeed', async () => {
      const { registerUser } = await useCaseFixture();
      const results = await Promise.allSettled([
        registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS }),
        registerUser.execute({ email: ` ${EMAIL.toUpperCase()}`, password: 'another password', clientAddress: ADDRESS }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const failed = results.find((r) => r.status === 'rejected');
      expect(failed?.reason).to.be.instanceOf(EmailAlreadyRegisteredError);
    });

    it('keeps the first account intact when a duplicate is refused', async () => {
      const { registerUser, logIn } = await useCaseFixture();
      await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      await rejection(registerUser.execute({ email: EMAIL, password: 'attacker password', clientAddress: ADDRESS }));
      expect((await logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS })).email).to.equal(EMAIL);
    });
  });
});

describeUseCasesForEachStore('RegisterUser: an address already registered, by email', (useCaseFixture) => {
  it('answers exactly as for a new address, after the same hash work, and tells the owner in the background', async () => {
    const notifier = new RecordingNotifier('email');
    const hasher = new CountingHasher();
    const { registerUser, users } = await useCaseFixture({ notifier, hasher });
    const first = await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    const stored = await users.findByEmail(EMAIL);
    const again = await registerUser.execute({
      email: ` ${EMAIL.toUpperCase()}`,
      password: 'another password',
      clientAddress: ADDRESS,
      languages: ['fr'],
    });
    expect(again).to.deep.equal(first);
    expect(hasher.hashes).to.equal(2);
    expect(notifier.sent).to.deep.equal([]);
    expect(notifier.notified).to.deep.equal([{ kind: 'sign-up-attempted', to: EMAIL, languages: ['fr'] }]);
    expect(await users.findByEmail(EMAIL)).to.deep.equal(stored);
  });

  it('keeps the seed’s EmailAlreadyRegisteredError on the response channel, sending nothing', async () => {
    const notifier = new RecordingNotifier('response');
    const { registerUser } = await useCaseFixture({ notifier });
    await registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
    expect(await rejection(registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS }))).to.be.instanceOf(
      EmailAlreadyRegisteredError,
    );
    expect(notifier.notified).to.deep.equal([]);
  });
});

describeUseCasesForEachStore('RegisterUser: EMAIL_VERIFICATION', (useCaseFixture) => {
  for (const mode of ['optional', 'required']) {
    it(`${mode}: mails a new account a token that verifies it, in the background`, async () => {
      const notifier = new RecordingNotifier('email');
      const fixture = await useCaseFixture({ notifier, env: { EMAIL_VERIFICATION: mode } });
      await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      expect(notifier.log).to.deep.equal({ sent: [], notified: [`email-verification ${EMAIL}`] });
      const verificationToken = notifier.tokenFor('email-verification', EMAIL);
      await fixture.verifyEmail.execute({ email: EMAIL, verificationToken, clientAddress: ADDRESS });
      expect((await fixture.users.findByEmail(EMAIL))?.emailVerifiedAt).to.deep.equal(fixture.clock.now());
    });
  }

  it('off (the default), or on the response channel: no token is stored or sent', async () => {
    for (const [channel, mode] of [
      ['email', 'off'],
      ['response', 'required'],
    ] as const) {
      const notifier = new RecordingNotifier(channel);
      const fixture = await useCaseFixture({ notifier, env: { EMAIL_VERIFICATION: mode } });
      await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
      expect(notifier.log, `${channel} ${mode}`).to.deep.equal({ sent: [], notified: [] });
      expect((await fixture.users.findByEmail(EMAIL))?.verificationTokenHash).to.equal(null);
    }
  });
});
