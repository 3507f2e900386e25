import { EmailNotVerifiedError, InvalidCredentialsError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { hashRequester } from '../rules/hash-requester.js';
import { normalizeEmail } from '../rules/email.js';
import type { EmailVerificationMode } from '../rules/email-verification.js';
import { acceptOfferedPassword } from '../rules/password.js';
import { startSession, type SessionSettings as IssuedSessionSettings } from '../rules/sessions.js';
import type { RateLimits } from '../rules/rate-limits.js';

export interface LogInInput {
  readonly email: string;
  readonly password: string;
  readonly clientAddress: string;
  /** The request's User-Agent, kept with the session. */
  readonly userAgent?: string;
  /** Aborted when the client has gone: its password is then not checked at all. */
  readonly signal?: AbortSignal;
}

export interface LogInResult {
  readonly email: string;
  /** The raw session token: handed to the client once, never stored. */
  readonly sessionToken: string;
  readonly expiresAt: Date;
}

export interface SessionSettings extends IssuedSessionSettings {
  /**
   * A hash of a random secret made with the configured hasher at start-up: an unknown email is compared
   * against it, so that it costs what a wrong password costs, from the very first log-in.
   */
  readonly unknownUserHash: string;
  readonly emailVerification: EmailVerificationMode;
}

export interface LogInDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenGenerator;
  readonly clock: Clock;
  readonly rateLimits: RateLimits;
}

export class LogIn {
  constructor(
    private readonly deps: LogInDependencies,
    private readonly settings: SessionSettings,
  ) {}

  async execute(input: LogInInput): Promise<LogInResult> {
    const { users, sessions, hasher, tokens, clock, rateLimits } = this.deps;
    await rateLimits.admitAddress(input.clientAddress);
    const email = normalizeEmail(input.email);
    const password = acceptOfferedPassword(input.password);
    await rateLimits.admitLogIn(email, input.clientAddress);
    // Read before the comparison: the session is bound to this password version, so a reset or change
    // that commits while the hash runs leaves it stale rather than alive.
    const user = await users.findByEmail(email);
    // An unknown email pays for the same comparison as a wrong password,
    // so the response time does not reveal which emails are registered.
    const requester = hashRequester(input);
    const matches = await hasher.verify(password, user?.passwordHash ?? this.settings.unknownUserHash, requester);
    if (user === null || !matches) throw new InvalidCredentialsError();
    await rateLimits.loggedIn(email, input.clientAddress);
    // A hash made with other settings (BCRYPT_COST raised or lowered since) is replaced now that the
    // password is known, on the condition that it is still the one compared: a concurrent reset wins.
    if (hasher.needsRehash(user.passwordHash)) {
      await users.replacePasswordHash(user.id, user.passwordHash, await hasher.hash(password, requester), clock.now());
    }
    // Only now, past the right password: to anyone else an unverified account looks like any other.
    if (this.settings.emailVerification === 'required' && user.emailVerifiedAt === null) throw new EmailNotVerifiedError();

    const { sessionToken, expiresAt } = await startSession({ sessions, tokens, clock }, this.settings, user, input);
    return { email: user.email, sessionToken, expiresAt };
  }
}
