import type { Clock } from '../domain/ports/clock.js';
import type { PasswordHasher } from '../domain/ports/password-hasher.js';
import type { ResetTokenNotifier } from '../domain/ports/reset-token-notifier.js';
import type { SessionRepository } from '../domain/ports/session-repository.js';
import type { TokenGenerator } from '../domain/ports/token-generator.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { PasswordPolicy } from '../domain/rules/password.js';
import type { RateLimits } from '../domain/rules/rate-limits.js';
import type { SessionSettings } from '../domain/rules/sessions.js';
import { ChangePassword } from '../domain/use-cases/change-password.js';
import { GetProfile } from '../domain/use-cases/get-profile.js';
import { LogIn } from '../domain/use-cases/log-in.js';
import { LogOut } from '../domain/use-cases/log-out.js';
import { RegisterUser } from '../domain/use-cases/register-user.js';
import { RequestPasswordReset } from '../domain/use-cases/request-password-reset.js';
import { ResetPassword } from '../domain/use-cases/reset-password.js';
import type { Config } from './config.js';

/** Everything a use case may depend on, as the container resolves it: each takes the part it names. */
export interface Ports {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenGenerator;
  readonly clock: Clock;
  readonly notifier: ResetTokenNotifier;
  readonly rateLimits: RateLimits;
}

/** What start-up settles once, besides the ports: the configuration and values computed from it. */
export interface Startup {
  readonly config: Config;
  /** A hash of a random secret made with the configured hasher, for log-ins with an unknown email. */
  readonly unknownUserHash: string;
}

function passwordPolicy(config: Config): PasswordPolicy {
  return { minLength: config.passwordMinLength };
}

function sessionSettings(config: Config): SessionSettings {
  return { sessionTtlMs: config.sessionTtlSeconds * 1000, maxSessionsPerUser: config.maxSessionsPerUser };
}

/**
 * The use cases the service has, one line each: how it is made from the ports and the start-up
 * settings. Adding a use case is its file in src/domain/use-cases and one line here.
 */
export const USE_CASES = {
  registerUser: (ports, { config }) => new RegisterUser(ports, { passwordPolicy: passwordPolicy(config) }),
  logIn: (ports, { config, unknownUserHash }) => new LogIn(ports, { ...sessionSettings(config), unknownUserHash }),
  logOut: (ports) => new LogOut(ports),
  getProfile: (ports) => new GetProfile(ports),
  requestPasswordReset: (ports, { config }) => new RequestPasswordReset(ports, { resetTokenTtlMs: config.resetTokenTtlSeconds * 1000 }),
  resetPassword: (ports, { config }) => new ResetPassword(ports, { passwordPolicy: passwordPolicy(config) }),
  changePassword: (ports, { config }) => new ChangePassword(ports, { ...sessionSettings(config), passwordPolicy: passwordPolicy(config) }),
} satisfies Record<string, (ports: Ports, startup: Startup) => object>;

export type UseCaseName = keyof typeof USE_CASES;
export type UseCases = { readonly [Name in UseCaseName]: ReturnType<(typeof USE_CASES)[Name]> };
