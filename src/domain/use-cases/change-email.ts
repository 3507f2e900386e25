import { InvalidInputError, InvalidSessionError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { normalizeEmail } from '../rules/email.js';
import type { EmailVerificationSettings } from '../rules/email-verification.js';
import { acceptOfferedPassword } from '../rules/password.js';
import { confirmPassword } from '../rules/password-confirmation.js';
import type { RateLimits } from '../rules/rate-limits.js';
import { issueToken } from '../rules/secret-token.js';
import { authenticate, type SessionLifetimes } from '../rules/sessions.js';

export interface ChangeEmailInput {
  readonly sessionToken: string;
  readonly password: string;
  readonly newEmail: string;
  readonly clientAddress: string;
  /** Aborted when the client has gone: no password is then checked. */
  readonly signal?: AbortSignal;
  /** The languages of the request, most preferred first: the message's language. */
  readonly languages?: readonly string[];
}

export interface ChangeEmailResult {
  /** The new address, normalised. */
  readonly email: string;
  /** Present only when the notifier's channel is the response itself. */
  readonly verificationToken?: string;
}

export interface ChangeEmailDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenGenerator;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly rateLimits: RateLimits;
}

export type ChangeEmailSettings = SessionLifetimes & Pick<EmailVerificationSettings, 'verificationTokenTtlMs'>;

/**
 * A logged-in user asks to move their account to another address, confirming it with their password. A
 * token goes to the new address; the account keeps its address until that token is spent (VerifyEmail),
 * and a newer request supersedes an older one. An address another account has gets the same answer,
 * changes nothing, and by email tells that account's owner instead.
 */
export class ChangeEmail {
  constructor(
    private readonly deps: ChangeEmailDependencies,
    private readonly settings: ChangeEmailSettings,
  ) {}

  async execute(input: ChangeEmailInput): Promise<ChangeEmailResult> {
    const { users, tokens, notifier, clock, rateLimits } = this.deps;
    await rateLimits.admitAddress(input.clientAddress);
    const { session, user } = await authenticate(this.deps, this.settings, input.sessionToken);
    const password = acceptOfferedPassword(input.password);
    const newEmail = normalizeEmail(input.newEmail, 'newEmail');
    if (newEmail === user.email) throw new InvalidInputError('newEmail', 'must differ from the current email');
    await confirmPassword(this.deps, user, password, input);
    await rateLimits.admitAccountRequest('email-change', user.email, input.clientAddress);
    const languages = input.languages ?? [];
    const now = clock.now();
    const { token, tokenHash, expiresAt } = issueToken(tokens, now, this.settings.verificationTokenTtlMs);

    if ((await users.findByEmail(newEmail)) !== null) {
      // Another account's address: one message all the same (to its owner, with nothing to use), and on
      // the response channel a token that was never stored, so the answer is a free address's.
      await notifier.send({ kind: 'email-change-attempted', to: newEmail, languages });
    } else {
      // On the version read before the comparison: a reset or password change that committed meanwhile
      // wins (the password confirmed is no longer the account's), and this session is then stale.
      const requested = await users.requestEmailChange({
        id: user.id,
        expectedPasswordVersion: user.passwordVersion,
        newEmail,
        tokenHash,
        expiresAt,
        sessionId: session.id,
        now,
      });
      if (requested === null) throw new InvalidSessionError();
      await notifier.send({ kind: 'email-change', to: newEmail, token, expiresAt, languages });
    }
    return notifier.channel === 'response' ? { email: newEmail, verificationToken: token } : { email: newEmail };
  }
}
