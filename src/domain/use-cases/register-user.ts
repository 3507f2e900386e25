import type { Clock } from '../ports/clock.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { hashRequester } from '../rules/hash-requester.js';
import { normalizeEmail } from '../rules/email.js';
import { acceptNewPassword, type PasswordPolicy } from '../rules/password.js';
import type { RateLimits } from '../rules/rate-limits.js';

export interface RegisterUserInput {
  readonly email: string;
  readonly password: string;
  readonly clientAddress: string;
  /** Aborted when the client has gone: the password is then not hashed at all. */
  readonly signal?: AbortSignal;
}

export interface RegisterUserResult {
  readonly email: string;
}

export interface RegisterUserDependencies {
  readonly users: UserRepository;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenGenerator;
  readonly clock: Clock;
  readonly rateLimits: RateLimits;
}

export interface RegistrationSettings {
  readonly passwordPolicy: PasswordPolicy;
}

export class RegisterUser {
  constructor(
    private readonly deps: RegisterUserDependencies,
    private readonly settings: RegistrationSettings,
  ) {}

  async execute(input: RegisterUserInput): Promise<RegisterUserResult> {
    const { users, hasher, tokens, clock, rateLimits } = this.deps;
    await rateLimits.admitAddress(input.clientAddress);
    const email = normalizeEmail(input.email);
    await rateLimits.admitAccountRequest('register', email, input.clientAddress);
    const password = acceptNewPassword(input.password, this.settings.passwordPolicy);
    const passwordHash = await hasher.hash(password, hashRequester(input));
    const now = clock.now();
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
      passwordChangedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    return { email };
  }
}
