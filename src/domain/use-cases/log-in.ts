import { InvalidCredentialsError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { normalizeEmail } from '../rules/email.js';
import { acceptOfferedPassword } from '../rules/password.js';
import { digestToken } from '../rules/secret-token.js';
import type { Throttle } from '../rules/throttle.js';

export interface LogInInput {
  readonly email: string;
  readonly password: string;
  readonly clientAddress: string;
}

export interface LogInResult {
  readonly email: string;
  /** The raw session token: handed to the client once, never stored. */
  readonly sessionToken: string;
  readonly expiresAt: Date;
}

export interface SessionSettings {
  readonly sessionTtlMs: number;
}

export class LogIn {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenGenerator,
    private readonly clock: Clock,
    private readonly settings: SessionSettings,
    private readonly throttle: Throttle,
  ) {}

  async execute(input: LogInInput): Promise<LogInResult> {
    await this.throttle.admitAddress(input.clientAddress);
    const email = normalizeEmail(input.email);
    const password = acceptOfferedPassword(input.password);
    await this.throttle.admitLogIn(email, input.clientAddress);
    const user = await this.users.findByEmail(email);
    // An unknown email pays for the same bcrypt comparison as a wrong password,
    // so the response time does not reveal which emails are registered.
    const matches = await this.hasher.verify(password, user?.passwordHash ?? (await this.hashOfNothing()));
    if (user === null || !matches) throw new InvalidCredentialsError();
    await this.throttle.loggedIn(email, input.clientAddress);

    const sessionToken = this.tokens.generate();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.settings.sessionTtlMs);
    await this.sessions.add({ id: digestToken(sessionToken), userId: user.id, createdAt: now, expiresAt });
    return { email: user.email, sessionToken, expiresAt };
  }

  private hashOfNothing(): Promise<string> {
    // Computed once with the configured hasher, so its cost always equals that of real hashes.
    this.dummyHash ??= this.hasher.hash(this.tokens.generate());
    return this.dummyHash;
  }
}
