import { hash } from 'node:crypto';
import type { TokenGenerator } from '../ports/token-generator.js';

/**
 * The only form in which a session or reset token is stored: a database leak must not yield live tokens.
 * A fast hash is enough because the tokens carry at least 128 bits of entropy.
 */
export function digestToken(token: string): string {
  return hash('sha256', token, 'base64url');
}

/** A token just made: the raw value for its owner, the digest for the store, and its expiry. */
export interface IssuedToken {
  readonly token: string;
  readonly tokenHash: string;
  readonly expiresAt: Date;
}

/** A new reset, verification or email-change token, valid for `ttlMs` from `now`. */
export function issueToken(tokens: TokenGenerator, now: Date, ttlMs: number): IssuedToken {
  const token = tokens.generate();
  return { token, tokenHash: digestToken(token), expiresAt: new Date(now.getTime() + ttlMs) };
}
