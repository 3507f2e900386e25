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

const ACCOUNT_REQUESTS = ['register', 'reset-request'] as const;
export type AccountRequest = (typeof ACCOUNT_REQUESTS)[number];

/** The counters' keys, one home each: the admitting, the forgiving and the forgetting use the same. */
const KEYS = {
  request: (request: AccountRequest, email: string, clientAddress: string) => `${request}:${email}|${clientAddress}`,
  logInFromAddress: (email: string, clientAddress: string) => `${email}|${clientAddress}`,
  logInToAccount: (email: string) => email,
  resetFromAddress: (email: string, clientAddress: string) => `reset:${email}|${clientAddress}`,
  resetToAccount: (email: string) => `reset:${email}`,
};

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
    return admit(this.limits.requestsByAccountAndAddress, KEYS.request(request, email, clientAddress));
  }

  async admitLogIn(email: string, clientAddress: string): Promise<void> {
    await admit(this.limits.logInFailuresByAccountAndAddress, KEYS.logInFromAddress(email, clientAddress));
    await admit(this.limits.logInFailuresByAccount, KEYS.logInToAccount(email));
  }

  async loggedIn(email: string, clientAddress: string): Promise<void> {
    await Promise.all([
      this.limits.logInFailuresByAccountAndAddress.reset(KEYS.logInFromAddress(email, clientAddress)),
      this.limits.logInFailuresByAccount.reset(KEYS.logInToAccount(email)),
    ]);
  }

  /** Before a reset token is checked: this address's attempts on this account. */
  admitResetAttempt(email: string, clientAddress: string): Promise<void> {
    return admit(this.limits.logInFailuresByAccountAndAddress, KEYS.resetFromAddress(email, clientAddress));
  }

  /** A wrong reset token: counts towards the account-wide ceiling, and is refused (429) beyond it. */
  resetTokenRefused(email: string): Promise<void> {
    return admit(this.limits.logInFailuresByAccount, KEYS.resetToAccount(email));
  }

  /** A reset that succeeded forgives this address's attempts on this account. */
  async resetSucceeded(email: string, clientAddress: string): Promise<void> {
    await this.limits.logInFailuresByAccountAndAddress.reset(KEYS.resetFromAddress(email, clientAddress));
  }

  /**
   * A deleted account: forgets the counters that name it, the account-wide ones and this address's, so a
   * new account with the email starts clean. Another address's counters on it cannot be found by the
   * email (they are keyed by both) and lapse at the end of their window.
   */
  async accountDeleted(email: string, clientAddress: string): Promise<void> {
    const { requestsByAccountAndAddress, logInFailuresByAccountAndAddress, logInFailuresByAccount } = this.limits;
    await Promise.all([
      logInFailuresByAccountAndAddress.reset(KEYS.logInFromAddress(email, clientAddress)),
      logInFailuresByAccountAndAddress.reset(KEYS.resetFromAddress(email, clientAddress)),
      logInFailuresByAccount.reset(KEYS.logInToAccount(email)),
      logInFailuresByAccount.reset(KEYS.resetToAccount(email)),
      ...ACCOUNT_REQUESTS.map((request) => requestsByAccountAndAddress.reset(KEYS.request(request, email, clientAddress))),
    ]);
  }
}
