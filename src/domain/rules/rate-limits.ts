import { TooManyAttemptsError } from '../errors.js';
import type { RateLimiter } from '../ports/rate-limiter.js';

/** The limiters behind the rate limiting rules, one per limit. */
export interface RateLimiters {
  /** Every authentication request from one client address. */
  readonly requestsByAddress: RateLimiter;
  /** Registration and reset requests for one account (email) from one client address. */
  readonly requestsByAccountAndAddress: RateLimiter;
  /** Log-in (or reset-token) attempts not followed by success, for one account from one address. */
  readonly logInFailuresByAccountAndAddress: RateLimiter;
  /** Log-in (or reset-token) failures for one account from anywhere: the hard ceiling. */
  readonly logInFailuresByAccount: RateLimiter;
}

export type AccountRequest = 'register' | 'reset-request';

async function admit(limiter: RateLimiter, key: string): Promise<void> {
  const verdict = await limiter.hit(key);
  if (!verdict.allowed) throw new TooManyAttemptsError(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)));
}

/**
 * Rate limiting, never a permanent lock-out, and never one a stranger can turn against the owner: every
 * tight limit on an account is kept per client address, so requests from elsewhere do not use up the
 * owner's allowance.
 * - Log-in attempts are counted before the password is checked (so parallel guesses cannot slip past
 *   the limit) and forgiven by a successful log-in; the looser account-wide ceiling bounds guessing
 *   from many addresses.
 * - Reset-token attempts are counted the same way, under their own keys; the account-wide ceiling
 *   counts only wrong tokens and refuses only them, so a valid token is never refused because of other
 *   people's failures.
 */
export class RateLimits {
  constructor(private readonly limits: RateLimiters) {}

  admitAddress(clientAddress: string): Promise<void> {
    return admit(this.limits.requestsByAddress, clientAddress);
  }

  admitAccountRequest(request: AccountRequest, email: string, clientAddress: string): Promise<void> {
    return admit(this.limits.requestsByAccountAndAddress, `${request}:${email}|${clientAddress}`);
  }

  async admitLogIn(email: string, clientAddress: string): Promise<void> {
    await admit(this.limits.logInFailuresByAccountAndAddress, `${email}|${clientAddress}`);
    await admit(this.limits.logInFailuresByAccount, email);
  }

  async loggedIn(email: string, clientAddress: string): Promise<void> {
    await Promise.all([
      this.limits.logInFailuresByAccountAndAddress.reset(`${email}|${clientAddress}`),
      this.limits.logInFailuresByAccount.reset(email),
    ]);
  }

  /** Before a reset token is checked: this address's attempts on this account. */
  admitResetAttempt(email: string, clientAddress: string): Promise<void> {
    return admit(this.limits.logInFailuresByAccountAndAddress, `reset:${email}|${clientAddress}`);
  }

  /** A wrong reset token: counts towards the account-wide ceiling, and is refused (429) beyond it. */
  resetTokenRefused(email: string): Promise<void> {
    return admit(this.limits.logInFailuresByAccount, `reset:${email}`);
  }

  /** A reset that succeeded forgives this address's attempts on this account. */
  async resetSucceeded(email: string, clientAddress: string): Promise<void> {
    await this.limits.logInFailuresByAccountAndAddress.reset(`reset:${email}|${clientAddress}`);
  }
}
