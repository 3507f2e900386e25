import { TooManyAttemptsError } from '../errors.js';
import type { AttemptLimiter } from '../ports/attempt-limiter.js';

/** The limiters behind the throttling rules, one per limit. */
export interface AttemptLimits {
  /** Every authentication request from one client address. */
  readonly requestsByAddress: AttemptLimiter;
  /** Registration and reset requests for one account (email). */
  readonly requestsByAccount: AttemptLimiter;
  /** Log-in attempts not followed by success, for one account from one address. */
  readonly logInFailuresByAccountAndAddress: AttemptLimiter;
  /** Log-in attempts not followed by success, for one account from anywhere: the hard ceiling. */
  readonly logInFailuresByAccount: AttemptLimiter;
}

export type AccountAction = 'register' | 'reset-request' | 'reset';

async function admit(limiter: AttemptLimiter, key: string): Promise<void> {
  const verdict = await limiter.hit(key);
  if (!verdict.allowed) throw new TooManyAttemptsError(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)));
}

/**
 * Throttling, never a permanent lock-out. Log-in attempts are counted before the password is checked
 * (so parallel guesses cannot slip past the limit) and forgiven by a successful log-in. The tight
 * per-account limit is kept per client address, so an attacker elsewhere cannot shut the owner out;
 * the looser account-wide ceiling bounds guessing from many addresses.
 */
export class Throttle {
  constructor(private readonly limits: AttemptLimits) {}

  admitAddress(clientAddress: string): Promise<void> {
    return admit(this.limits.requestsByAddress, clientAddress);
  }

  admitAccountRequest(action: AccountAction, email: string): Promise<void> {
    return admit(this.limits.requestsByAccount, `${action}:${email}`);
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
}
