import { TooManyAttemptsError } from '../errors.js';
import type { RateLimiter } from '../ports/rate-limiter.js';

/** The limiters behind the rate limiting rules, one per limit. */
export interface RateLimiters {
  /** Every authentication request from one client address. */
  readonly requestsByAddress: RateLimiter;
  /** Registration, reset, verification and email-change requests for one account (email) from one client address. */
  readonly requestsByAccountAndAddress: RateLimiter;
  /** Log-in (or token) attempts not followed by success, for one account from one address. */
  readonly logInFailuresByAccountAndAddress: RateLimiter;
  /** Log-in (or token) failures for one account from anywhere: the hard ceiling. */
  readonly logInFailuresByAccount: RateLimiter;
}

const ACCOUNT_REQUESTS = ['register', 'reset-request', 'verification-request', 'email-change'] as const;
export type AccountRequest = (typeof ACCOUNT_REQUESTS)[number];

/** The tokens spent by someone not logged in, each counted under its own keys: a reset token, and a verification (or email-change) token. */
const TOKEN_KINDS = ['reset', 'verify'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** The counters' keys, one home each: the admitting, the forgiving and the forgetting use the same. */
const KEYS = {
  request: (request: AccountRequest, email: string, clientAddress: string) => `${request}:${email}|${clientAddress}`,
  logInFromAddress: (email: string, clientAddress: string) => `${email}|${clientAddress}`,
  logInToAccount: (email: string) => email,
  tokenFromAddress: (kind: TokenKind, email: string, clientAddress: string) => `${kind}:${email}|${clientAddress}`,
  tokenToAccount: (kind: TokenKind, email: string) => `${kind}:${email}`,
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
 * - Token attempts (reset, verification) are counted the same way, under their own keys; the
 *   account-wide ceiling counts only wrong tokens and refuses only them, so a valid token is never
 *   refused because of other people's failures.
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

  /** Before a token is checked: this address's attempts on this account (the email the token is for). */
  admitTokenAttempt(kind: TokenKind, email: string, clientAddress: string): Promise<void> {
    return admit(this.limits.logInFailuresByAccountAndAddress, KEYS.tokenFromAddress(kind, email, clientAddress));
  }

  /** A wrong token: counts towards the account-wide ceiling, and is refused (429) beyond it. */
  tokenRefused(kind: TokenKind, email: string): Promise<void> {
    return admit(this.limits.logInFailuresByAccount, KEYS.tokenToAccount(kind, email));
  }

  /** A token that worked forgives this address's attempts on this account. */
  async tokenAccepted(kind: TokenKind, email: string, clientAddress: string): Promise<void> {
    await this.limits.logInFailuresByAccountAndAddress.reset(KEYS.tokenFromAddress(kind, email, clientAddress));
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
      logInFailuresByAccount.reset(KEYS.logInToAccount(email)),
      ...TOKEN_KINDS.flatMap((kind) => [
        logInFailuresByAccountAndAddress.reset(KEYS.tokenFromAddress(kind, email, clientAddress)),
        logInFailuresByAccount.reset(KEYS.tokenToAccount(kind, email)),
      ]),
      ...ACCOUNT_REQUESTS.map((request) => requestsByAccountAndAddress.reset(KEYS.request(request, email, clientAddress))),
    ]);
  }
}
