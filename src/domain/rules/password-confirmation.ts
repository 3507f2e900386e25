import type { User } from '../entities/user.js';
import { WrongPasswordError } from '../errors.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import { hashRequester } from './hash-requester.js';
import type { RateLimits } from './rate-limits.js';

export interface PasswordConfirmation {
  readonly hasher: PasswordHasher;
  readonly rateLimits: RateLimits;
}

/**
 * A logged-in user confirms a sensitive action (a password change, deleting the account) with their
 * password: counted like a log-in, under the same keys, so a stolen cookie is no way round the log-in
 * limits; compared against the stored hash, so a wrong password costs what a right one does; a right
 * one forgives the failures, like a log-in. WrongPasswordError when it is not theirs.
 */
export async function confirmPassword(
  { hasher, rateLimits }: PasswordConfirmation,
  user: Pick<User, 'email' | 'passwordHash'>,
  password: string,
  request: { readonly clientAddress: string; readonly signal?: AbortSignal },
): Promise<void> {
  await rateLimits.admitLogIn(user.email, request.clientAddress);
  if (!(await hasher.verify(password, user.passwordHash, hashRequester(request)))) throw new WrongPasswordError();
  await rateLimits.loggedIn(user.email, request.clientAddress);
}
