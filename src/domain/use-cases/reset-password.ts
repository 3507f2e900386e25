import type { User } from '../entities/user.js';
import { InvalidInputError, InvalidResetTokenError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import type { HashRequester, PasswordHasher } from '../ports/password-hasher.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { UserRepository } from '../ports/user-repository.js';
import { hashRequester } from '../rules/hash-requester.js';
import { normalizeEmail } from '../rules/email.js';
import { acceptNewPassword, type PasswordPolicy } from '../rules/password.js';
import { digestToken } from '../rules/secret-token.js';
import type { RateLimits } from '../rules/rate-limits.js';

export interface ResetPasswordInput {
  readonly email: string;
  readonly resetToken: string;
  readonly newPassword: string;
  readonly clientAddress: string;
  /** Aborted when the client has gone: the new password is then not hashed at all. */
  readonly signal?: AbortSignal;
  /** The languages of the request, most preferred first: the notice's language. */
  readonly languages?: readonly string[];
}

export interface ResetPasswordResult {
  readonly email: string;
}

function holdsToken(hash: string | null, expiresAt: Date | null, tokenHash: string, now: Date): boolean {
  return hash === tokenHash && expiresAt !== null && expiresAt.getTime() > now.getTime();
}

export interface ResetPasswordDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly hasher: PasswordHasher;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly rateLimits: RateLimits;
}

export interface ResetSettings {
  readonly passwordPolicy: PasswordPolicy;
}

export class ResetPassword {
  constructor(
    private readonly deps: ResetPasswordDependencies,
    private readonly settings: ResetSettings,
  ) {}

  async execute(input: ResetPasswordInput): Promise<ResetPasswordResult> {
    const { users, hasher, clock, rateLimits } = this.deps;
    await rateLimits.admitAddress(input.clientAddress);
    const email = normalizeEmail(input.email);
    if (input.resetToken.length === 0) throw new InvalidInputError('resetToken', 'must not be empty');
    const password = acceptNewPassword(input.newPassword, this.settings.passwordPolicy, 'newPassword');
    await rateLimits.admitTokenAttempt('reset', email, input.clientAddress);
    const tokenHash = digestToken(input.resetToken);
    const requester = hashRequester(input);

    // A cheap read says which path to take; the store's conditional update below is what decides.
    let user = await users.findByEmail(email);
    if (user !== null && holdsToken(user.resetTokenHash, user.resetTokenExpiresAt, tokenHash, clock.now())) {
      // Hash before touching the token, so that checking the token, setting the password and spending
      // it are one atomic step of the store: a failure leaves both the old password and the token.
      const newPasswordHash = await hasher.hash(password, requester);
      const changed = await users.consumeResetToken({
        email,
        tokenHash,
        newPasswordHash,
        now: clock.now(),
        repeatableUntil: user.resetTokenExpiresAt ?? clock.now(),
      });
      if (changed !== null) {
        this.deps.notifier.notify({ kind: 'password-reset', to: changed.email, languages: input.languages ?? [] });
        return this.finish(changed, input.clientAddress);
      }
      // Spent meanwhile: by this same request sent twice, perhaps, which the next step recognises.
      user = await users.findByEmail(email);
    }
    if (user !== null && (await this.isRepeatOfSpentReset(user, tokenHash, password, requester))) {
      return this.finish(user, input.clientAddress);
    }
    await rateLimits.tokenRefused('reset', email);
    throw new InvalidResetTokenError();
  }

  /**
   * The same email, token and new password as a reset that already succeeded: its answer was lost
   * (a 503 while the store applied the change), and repeating the request is the client's natural
   * remedy. Only whoever knows the new password can get this 200; it changes nothing but ending the
   * sessions again, which the lost attempt may not have reached.
   */
  private async isRepeatOfSpentReset(user: User, tokenHash: string, password: string, requester: HashRequester): Promise<boolean> {
    if (!holdsToken(user.spentResetTokenHash, user.spentResetTokenExpiresAt, tokenHash, this.deps.clock.now())) return false;
    return this.deps.hasher.verify(password, user.passwordHash, requester);
  }

  private async finish(user: User, clientAddress: string): Promise<ResetPasswordResult> {
    await this.deps.sessions.deleteAllForUser(user.id);
    await this.deps.rateLimits.tokenAccepted('reset', user.email, clientAddress);
    return { email: user.email };
  }
}
