import { hash } from 'node:crypto';

/**
 * The only form in which a session or reset token is stored: a database leak must not yield live tokens.
 * A fast hash is enough because the tokens carry at least 128 bits of entropy.
 */
export function digestToken(token: string): string {
  return hash('sha256', token, 'base64url');
}
