import { expect } from 'chai';
import { InvalidInputError } from '../../../src/domain/errors.js';
import { normalizeEmail } from '../../../src/domain/rules/email.js';

// RFC 5321's limit on a forward path, less its angle brackets.
const EMAIL_MAX_LENGTH = 254;

/** The InvalidInputError that normalizeEmail throws for `raw`; fails the test when it accepts it. */
function refusal(raw: string, field?: string): InvalidInputError {
  try {
    normalizeEmail(raw, field);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('email rules', () => {
  it('trims and lower-cases the address, which is the identity of the account', () => {
    expect(normalizeEmail('  Alice@Example.COM\t')).to.equal('alice@example.com');
  });

  it('says an empty (or blank) address is empty, not malformed', () => {
    for (const raw of ['', '   ']) {
      expect(refusal(raw)).to.include({ field: 'email', reason: 'must not be empty' });
    }
  });

  it('names the field it was given', () => {
    expect(refusal('', 'new_email').field).to.equal('new_email');
  });

  it('says what form a malformed address must have', () => {
    for (const raw of ['alice', 'alice@', '@example.com', 'al ice@example.com', 'alice@-example.com', 'alice@example..com']) {
      expect(refusal(raw), raw).to.include({ field: 'email', reason: 'must be an email address of the form local@domain' });
    }
  });

  it('accepts one-letter domain labels, the last one included', () => {
    expect(normalizeEmail('a@b.c')).to.equal('a@b.c');
    expect(normalizeEmail('a@b')).to.equal('a@b');
  });

  it('accepts a local part of 64 characters and refuses one of 65', () => {
    expect(normalizeEmail(`${'a'.repeat(64)}@example.com`)).to.equal(`${'a'.repeat(64)}@example.com`);
    expect(refusal(`${'a'.repeat(65)}@example.com`).reason).to.equal('must be an email address of the form local@domain');
  });

  it(`accepts ${EMAIL_MAX_LENGTH} characters and refuses one more, saying the limit`, () => {
    const domain = (length: number): string => `${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(length - 183)}`;
    const longest = `${'a'.repeat(64)}@${domain(EMAIL_MAX_LENGTH - 65)}`;
    expect(longest).to.have.length(EMAIL_MAX_LENGTH);
    expect(normalizeEmail(longest)).to.equal(longest);
    expect(refusal(`${longest}e`).reason).to.equal(`must be at most ${EMAIL_MAX_LENGTH} characters`);
  });
});
