import { randomBytes } from 'node:crypto';
import type { TokenGenerator } from '../../domain/ports/token-generator.js';

const TOKEN_BYTES = 32; // 256 bits, twice the 128-bit minimum

export class RandomTokenGenerator implements TokenGenerator {
  generate(): string {
    return randomBytes(TOKEN_BYTES).toString('base64url');
  }
}
