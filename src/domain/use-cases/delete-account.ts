import { InvalidSessionError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { UserRepository } from '../ports/user-repository.js';
import { acceptOfferedPassword } from '../rules/password.js';
import { confirmPassword } from '../rules/password-confirmation.js';
import type { RateLimits } from '../rules/rate-limits.js';
import { authenticate, type SessionLifetimes } from '../rules/sessions.js';

export interface DeleteAccountInput {
  readonly sessionToken: string;
  readonly password: string;
  readonly clientAddress: string;
  /** Aborted when the client has gone: no password is then checked. */
  readonly signal?: AbortSignal;
  /** The languages of the request, most preferred first: the notice's language. */
  readonly languages?: readonly string[];
}

export interface DeleteAccountDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly hasher: PasswordHasher;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly rateLimits: RateLimits;
}

/**
 * A logged-in user deletes their account, confirming it with their password: the user (reset tokens
 * with it), every session and the rate-limit counters that name the account are removed, and the email
 * may be registered again.
 */
export class DeleteAccount {
  constructor(
    private readonly deps: DeleteAccountDependencies,
    private readonly lifetimes: SessionLifetimes,
  ) {}

  async execute(input: DeleteAccountInput): Promise<void> {
    const { users, sessions, rateLimits } = this.deps;
    await rateLimits.admitAddress(input.clientAddress);
    const { user } = await authenticate(this.deps, this.lifetimes, input.sessionToken);
    const password = acceptOfferedPassword(input.password);
    await confirmPassword(this.deps, user, password, input);
    // On the version read before the comparison: a reset or change that committed meanwhile wins (the
    // password confirmed is no longer the account's), and this request's session is then stale.
    if (!(await users.delete(user.id, user.passwordVersion))) throw new InvalidSessionError();
    this.deps.notifier.notify({ kind: 'account-deleted', to: user.email, languages: input.languages ?? [] });
    // Once the user is gone no session of theirs is accepted (authenticate finds no user), including one a
    // log-in whose comparison ran meanwhile adds after this; removing them is to leave nothing behind.
    await sessions.deleteAllForUser(user.id);
    await rateLimits.accountDeleted(user.email, input.clientAddress);
  }
}
