import { EmailAlreadyRegisteredError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { hashRequester } from '../rules/hash-requester.js';
import { normalizeEmail } from '../rules/email.js';
import type { EmailVerificationSettings } from '../rules/email-verification.js';
import { acceptNewPassword, type PasswordPolicy } from '../rules/password.js';
import type { RateLimits } from '../rules/rate-limits.js';
import { issueToken } from '../rules/secret-token.js';

export interface RegisterUserInput {
  readonly email: string;
  readonly password: string;
  readonly clientAddress: string;
  /** Aborted when the client has gone: the password is then not hashed at all. */
  readonly signal?: AbortSignal;
  /** The languages of the request, most preferred first: the message's language. */
  readonly languages?: readonly string[];
}

export interface RegisterUserResult {
  readonly email: string;
}

export interface RegisterUserDependencies {
  readonly users: UserRepository;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenGenerator;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly rateLimits: RateLimits;
}

export interface RegistrationSettings extends EmailVerificationSettings {
  readonly passwordPolicy: PasswordPolicy;
}

/**
 * Creates an account. By email, an address that already has one gets exactly the answer a new one gets,
 * after the same hash work, and its owner is told of the attempt; on the response channel it is the seed's
 * EmailAlreadyRegisteredError. With EMAIL_VERIFICATION on, a new account is mailed its verification link.
 */
export class RegisterUser {
  constructor(
    private readonly deps: RegisterUserDependencies,
    private readonly settings: RegistrationSettings,
  ) {}

  async execute(input: RegisterUserInput): Promise<RegisterUserResult> {
    const { users, hasher, tokens, notifier, clock, rateLimits } = this.deps;
    await rateLimits.admitAddress(input.clientAddress);
    const email = normalizeEmail(input.email);
    await rateLimits.admitAccountRequest('register', email, input.clientAddress);
    const password = acceptNewPassword(input.password, this.settings.passwordPolicy);
    const passwordHash = await hasher.hash(password, hashRequester(input));
    const now = clock.now();
    const languages = input.languages ?? [];
    // Only by email: on the response channel nobody would receive it (the owner asks POST /email_verification).
    const verification =
      this.settings.emailVerification !== 'off' && notifier.channel === 'email'
        ? issueToken(tokens, now, this.settings.verificationTokenTtlMs)
        : null;
    try {
      // No "does it exist?" read first: the repository's atomic insert is the only uniqueness check,
      // so two concurrent registrations cannot both succeed.
      await users.add({
        id: tokens.generate(),
        email,
        passwordHash,
        passwordVersion: 0,
        resetTokenHash: null,
        resetTokenExpiresAt: null,
        spentResetTokenHash: null,
        spentResetTokenExpiresAt: null,
        emailVerifiedAt: null,
        verificationTokenHash: verification?.tokenHash ?? null,
        verificationTokenExpiresAt: verification?.expiresAt ?? null,
        pendingEmail: null,
        emailChangeTokenHash: null,
        emailChangeTokenExpiresAt: null,
        emailChangeSessionId: null,
        passwordChangedAt: now,
        createdAt: now,
        updatedAt: now,
      });
    } catch (error) {
      if (!(error instanceof EmailAlreadyRegisteredError) || notifier.channel === 'response') throw error;
      // Both messages go in the background, so neither answer waits on the mail server.
      notifier.notify({ kind: 'sign-up-attempted', to: email, languages });
      return { email };
    }
    if (verification !== null) {
      notifier.notify({ kind: 'email-verification', to: email, token: verification.token, expiresAt: verification.expiresAt, languages });
    }
    return { email };
  }
}
