import { expect } from 'chai';
import { digestToken } from '../../../src/domain/rules/secret-token.js';

describe('digestToken', () => {
  it('is SHA-256 in base64url, pinned by a known answer: changing it would void every stored session and reset token', () => {
    // FIPS 180-2, appendix B.1: SHA-256("abc").
    const digest = digestToken('abc');
    expect(digest).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(digest, 'base64url').toString('hex')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
