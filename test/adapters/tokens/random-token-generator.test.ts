import { expect } from 'chai';
import { RandomTokenGenerator } from '../../../src/adapters/tokens/random-token-generator.js';

describe('RandomTokenGenerator', () => {
  it('yields URL-safe tokens of 256 bits, all distinct', () => {
    const generator = new RandomTokenGenerator();
    const tokens = new Set(Array.from({ length: 10_000 }, () => generator.generate()));
    expect(tokens.size).to.equal(10_000);
    for (const token of tokens) {
      expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).to.have.length(32);
    }
  });
});
