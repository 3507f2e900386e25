import type { Clock } from '../domain/ports/clock.js';
import type { PasswordHasher } from '../domain/ports/password-hasher.js';
import type { Notifier } from '../domain/ports/notifier.js';
import type { SessionRepository } from '../domain/ports/session-repository.js';
import type { TokenGenerator } from '../domain/ports/token-generator.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { EmailVerificationSettings } from '../domain/rules/email-verification.js';
import type { PasswordPolicy } from '../domain/rules/password.js';
import type { RateLimits } from '../domain/rules/rate-limits.js';
import type { SessionLifetimes, SessionSettings } from '../domain/rules/sessions.js';
import { ChangeEmail } from '../domain/use-cases/change-email.js';
import { ChangePassword } from '../domain/use-cases/change-password.js';
import { DeleteAccount } from '../domain/use-cases/delete-account.js';
import { EndOtherSessions } from '../domain/use-cases/end-other-sessions.js';
import { EndSession } from '../domain/use-cases/end-session.js';
import { GetProfile } from '../domain/use-cases/get-profile.js';
import { ListSessions } from '../domain/use-cases/list-sessions.js';
import { LogIn } from '../domain/use-cases/log-in.js';
import { LogOut } from '../domain/use-cases/log-out.js';
import { RegisterUser } from '../domain/use-cases/register-user.js';
import { RequestEmailVerification } from '../domain/use-cases/request-email-verification.js';
import { RequestPasswordReset } from '../domain/use-cases/request-password-reset.js';
import { ResetPassword } from '../domain/use-cases/reset-password.js';
import { VerifyEmail } from '../domain/use-cases/verify-email.js';
import type { Config } from './config.js';

/** Everything a use case may depend on, as the container resolves it: each takes the part it names. */
export interface Ports {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenGenerator;
  readonly clock: Clock;
  readonly notifier: Notifier;
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

/**
 * A session's lastSeenAt is written at most once a minute: the session check stays a read on all other
 * requests, and the idle timeout (at least 5 minutes, see SESSION_IDLE_TTL) is off by a minute at most.
 */
export const LAST_SEEN_INTERVAL_MS = 60_000;

function sessionLifetimes(config: Config): SessionLifetimes {
  return {
    sessionTtlMs: config.sessionTtlSeconds * 1000,
    idleTtlMs: config.sessionIdleTtlSeconds * 1000,
    lastSeenIntervalMs: LAST_SEEN_INTERVAL_MS,
  };
}

function emailVerification(config: Config): EmailVerificationSettings {
  return { emailVerification: config.emailVerification, verificationTokenTtlMs: config.verificationTokenTtlSeconds * 1000 };
}

function sessionSettings(config: Config): SessionSettings {
  return { ...sessionLifetimes(config), maxSessionsPerUser: config.maxSessionsPerUser };
}

/**
 * The use cases the service has, one line each: how it is made from the ports and the start-up
 * settings. Adding a use case is its file in src/domain/use-cases and one line here.
 */
export const USE_CASES = {
  registerUser: (ports, { config }) => new RegisterUser(ports, { ...emailVerification(config), passwordPolicy: passwordPolicy(config) }),
  logIn: (ports, { config, unknownUserHash }) =>
    new LogIn(ports, { ...sessionSettings(config), unknownUserHash, emailVerification: config.emailVerification }),
  logOut: (ports, { config }) => new LogOut(ports, sessionLifetimes(config)),
  getProfile: (ports, { config }) => new GetProfile(ports, sessionLifetimes(config)),
  requestPasswordReset: (ports, { config }) => new RequestPasswordReset(ports, { resetTokenTtlMs: config.resetTokenTtlSeconds * 1000 }),
  resetPassword: (ports, { config }) => new ResetPassword(ports, { passwordPolicy: passwordPolicy(config) }),
  changePassword: (ports, { config }) => new ChangePassword(ports, { ...sessionSettings(config), passwordPolicy: passwordPolicy(config) }),
  listSessions: (ports, { config }) => new ListSessions(ports, sessionLifetimes(config)),
  endSession: (ports, { config }) => new EndSession(ports, sessionLifetimes(config)),
  endOtherSessions: (ports, { config }) => new EndOtherSessions(ports, sessionLifetimes(config)),
  deleteAccount: (ports, { config }) => new DeleteAccount(ports, sessionLifetimes(config)),
  requestEmailVerification: (ports, { config }) => new RequestEmailVerification(ports, emailVerification(config)),
  verifyEmail: (ports) => new VerifyEmail(ports),
  changeEmail: (ports, { config }) => new ChangeEmail(ports, { ...sessionLifetimes(config), ...emailVerification(config) }),
} satisfies Record<string, (ports: Ports, startup: Startup) => object>;

export type UseCaseName = keyof typeof USE_CASES;
export type UseCases = { readonly [Name in UseCaseName]: ReturnType<(typeof USE_CASES)[Name]> };
