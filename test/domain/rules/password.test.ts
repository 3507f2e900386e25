import { expect } from 'chai';
import { InvalidInputError } from '../../../src/domain/errors.js';
import { acceptNewPassword, acceptOfferedPassword } from '../../../src/domain/rules/password.js';

describe('password rules', () => {
  it('normalises with NFKC, not NFC: the ligature ﬁ and the letters fi are the same password', () => {
    expect(acceptOfferedPassword('ﬁrst password')).to.equal('first password');
    expect(acceptNewPassword('Ⅻ horses!', { minLength: 8 })).to.equal('XII horses!');
  });

  it('counts the minimum length in characters (code points), not UTF-16 units', () => {
    const emoji = '\u{1F600}';
    // Four emoji are eight UTF-16 units, but four characters: too short for 8.
    expect(() => acceptNewPassword(emoji.repeat(4), { minLength: 8 })).to.throw(InvalidInputError, 'must be at least 8 characters');
    expect(acceptNewPassword(emoji.repeat(8), { minLength: 8 })).to.equal(emoji.repeat(8));
  });

  it('refuses an empty password as empty, even at log-in where no minimum length applies', () => {
    for (const accept of [() => acceptOfferedPassword(''), () => acceptNewPassword('', { minLength: 0 }, 'new_password')]) {
      expect(accept).to.throw(InvalidInputError).that.includes({ reason: 'must not be empty' });
    }
  });
});
