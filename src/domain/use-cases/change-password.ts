import { InvalidSessionError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { hashRequester } from '../rules/hash-requester.js';
import { confirmPassword } from '../rules/password-confirmation.js';
import { acceptNewPassword, acceptOfferedPassword, type PasswordPolicy } from '../rules/password.js';
import type { RateLimits } from '../rules/rate-limits.js';
import { authenticate, startSession, type IssuedSession, type SessionSettings } from '../rules/sessions.js';

export interface ChangePasswordInput {
  readonly sessionToken: string;
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly clientAddress: string;
  /** The request's User-Agent, kept with the new session. */
  readonly userAgent?: string;
  /** Aborted when the client has gone: no password is then checked or hashed. */
  readonly signal?: AbortSignal;
  /** The languages of the request, most preferred first: the notice's language. */
  readonly languages?: readonly string[];
}

export interface ChangePasswordResult extends IssuedSession {
  readonly email: string;
}

export interface ChangePasswordDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenGenerator;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly rateLimits: RateLimits;
}

export interface ChangePasswordSettings extends SessionSettings {
  readonly passwordPolicy: PasswordPolicy;
}

/**
 * A logged-in user changes their password, confirming the current one: every session of theirs ends,
 * the one used included (a stolen cookie dies with the change), any reset token is cleared, and the
 * caller gets a fresh session made for the new password.
 */
export class ChangePassword {
  constructor(
    private readonly deps: ChangePasswordDependencies,
    private readonly settings: ChangePasswordSettings,
  ) {}

  async execute(input: ChangePasswordInput): Promise<ChangePasswordResult> {
    const { users, sessions, hasher, clock, rateLimits } = this.deps;
    await rateLimits.admitAddress(input.clientAddress);
    const { user } = await authenticate(this.deps, this.settings, input.sessionToken);
    const currentPassword = acceptOfferedPassword(input.currentPassword, 'currentPassword');
    const newPassword = acceptNewPassword(input.newPassword, this.settings.passwordPolicy, 'newPassword');
    await confirmPassword(this.deps, user, currentPassword, input);

    const newPasswordHash = await hasher.hash(newPassword, hashRequester(input));
    // On the version read before the comparison: a reset or another change that committed meanwhile
    // wins, and this request's session, made for the old password, is then no longer valid.
    const changed = await users.changePassword({
      id: user.id,
      expectedPasswordVersion: user.passwordVersion,
      newPasswordHash,
      now: clock.now(),
    });
    if (changed === null) throw new InvalidSessionError();
    this.deps.notifier.notify({ kind: 'password-changed', to: changed.email, languages: input.languages ?? [] });
    await sessions.deleteAllForUser(user.id);
    const issued = await startSession(this.deps, this.settings, changed, input);
    return { email: changed.email, ...issued };
  }
}
