import 'reflect-metadata';
import { Container } from 'inversify';
import type { HttpUseCases } from '../adapters/http/http-app.js';
import { BcryptPasswordHasher } from '../adapters/bcrypt/bcrypt-password-hasher.js';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { RandomTokenGenerator } from '../adapters/crypto/random-token-generator.js';
import { SmtpResetTokenNotifier } from '../adapters/email/smtp-reset-token-notifier.js';
import { ResponseResetTokenNotifier } from '../adapters/notifier/response-reset-token-notifier.js';
import { UnlimitedAttemptLimiter } from '../adapters/rate-limit/flexible-attempt-limiter.js';
import type { ResetTokenNotifier } from '../domain/ports/reset-token-notifier.js';
import { Throttle, type AttemptLimits } from '../domain/rules/throttle.js';
import { GetProfile } from '../domain/use-cases/get-profile.js';
import { LogIn } from '../domain/use-cases/log-in.js';
import { LogOut } from '../domain/use-cases/log-out.js';
import { RegisterUser } from '../domain/use-cases/register-user.js';
import { RequestPasswordReset } from '../domain/use-cases/request-password-reset.js';
import { ResetPassword } from '../domain/use-cases/reset-password.js';
import type { Config, RateLimitsConfig } from './config.js';
import type { Logger } from './logger.js';
import { openStore, type Store } from './store.js';
import { TOKENS } from './tokens.js';

/**
 * The composition root: the only place that knows which adapter serves which port. It opens the
 * configured store (for MongoDB: the process's one client); disposeContainer() closes it.
 * Everything is a singleton; tests may rebind a port (a manual clock, say) before the first get.
 */
export async function createContainer(config: Config, logger: Logger): Promise<Container> {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Logger).toConstantValue(logger);

  const store = await openStore(config, logger);
  container.bind(TOKENS.Store).toConstantValue(store);
  container.bind(TOKENS.UserRepository).toConstantValue(store.users);
  container.bind(TOKENS.SessionRepository).toConstantValue(store.sessions);
  container.bind(TOKENS.Throttle).toConstantValue(new Throttle(attemptLimits(config.rateLimits, store)));
  // The bound on one address's waiting hashes is a rate limit (a 429): RATE_LIMIT=off, where all load comes
  // from one address, lifts it; the queue stays fair.
  const maxQueuedPerClient = config.rateLimits === null ? Number.POSITIVE_INFINITY : config.hashQueuePerClient;
  container
    .bind(TOKENS.PasswordHasher)
    .toConstantValue(new BcryptPasswordHasher(config.bcryptCost, { concurrency: config.hashConcurrency, maxQueuedPerClient }));
  container.bind(TOKENS.TokenGenerator).toConstantValue(new RandomTokenGenerator());
  container.bind(TOKENS.Clock).toConstantValue(new SystemClock());
  container.bind(TOKENS.ResetTokenNotifier).toConstantValue(resetTokenNotifier(config));

  // The hash an unknown email is compared against: made now, so that even the first log-in after
  // start-up costs exactly what a wrong password costs.
  const unknownUserHash = await container.get(TOKENS.PasswordHasher).hash(new RandomTokenGenerator().generate());
  bindUseCases(container, config, unknownUserHash);
  return container;
}

/** RESET_TOKEN_DELIVERY: the token by email over SMTP, or in the HTTP response (the seed's behaviour). */
function resetTokenNotifier(config: Config): ResetTokenNotifier {
  if (config.email === undefined) return new ResponseResetTokenNotifier();
  return new SmtpResetTokenNotifier({
    smtpUrl: config.email.smtpUrl,
    from: config.email.mailFrom,
    resetUrl: config.email.resetUrl,
    timeoutMs: config.email.smtpTimeoutSeconds * 1000,
  });
}

/** The throttling limits, counted in the configured store; with RATE_LIMIT=off, nothing is counted. */
function attemptLimits(limits: RateLimitsConfig | null, store: Store): AttemptLimits {
  if (limits === null) {
    const unlimited = new UnlimitedAttemptLimiter();
    return {
      requestsByAddress: unlimited,
      requestsByAccountAndAddress: unlimited,
      logInFailuresByAccountAndAddress: unlimited,
      logInFailuresByAccount: unlimited,
    };
  }
  return {
    requestsByAddress: store.attemptLimiter({ name: 'address', ...limits.requestsByAddress }),
    requestsByAccountAndAddress: store.attemptLimiter({ name: 'account-address', ...limits.requestsByAccountAndAddress }),
    logInFailuresByAccountAndAddress: store.attemptLimiter({ name: 'login-failures', ...limits.logInFailuresByAccountAndAddress }),
    logInFailuresByAccount: store.attemptLimiter({ name: 'account-login-failures', ...limits.logInFailuresByAccount }),
  };
}

/** The six use cases, resolved once (never per request). */
export function resolveUseCases(container: Container): HttpUseCases {
  return {
    registerUser: container.get(TOKENS.RegisterUser),
    logIn: container.get(TOKENS.LogIn),
    logOut: container.get(TOKENS.LogOut),
    getProfile: container.get(TOKENS.GetProfile),
    requestPasswordReset: container.get(TOKENS.RequestPasswordReset),
    resetPassword: container.get(TOKENS.ResetPassword),
  };
}

/**
 * Lets go of what createContainer opened. With `timeoutMs`, the store is given that long to close, and
 * the answer is false when it did not (it is then left behind: see Store.close).
 */
export async function disposeContainer(container: Container, timeoutMs?: number): Promise<boolean> {
  const storeClosed = await container.get(TOKENS.Store).close(timeoutMs);
  await container.unbindAllAsync();
  return storeClosed;
}

function bindUseCases(container: Container, config: Config, unknownUserHash: string): void {
  const passwordPolicy = { minLength: config.passwordMinLength };
  const { UserRepository, SessionRepository, PasswordHasher, TokenGenerator, Clock, ResetTokenNotifier, Throttle } = TOKENS;

  container
    .bind(TOKENS.RegisterUser)
    .toResolvedValue(
      (users, hasher, tokens, clock, throttle) => new RegisterUser(users, hasher, tokens, clock, passwordPolicy, throttle),
      [UserRepository, PasswordHasher, TokenGenerator, Clock, Throttle],
    );
  container
    .bind(TOKENS.LogIn)
    .toResolvedValue(
      (users, sessions, hasher, tokens, clock, throttle) =>
        new LogIn(
          users,
          sessions,
          hasher,
          tokens,
          clock,
          { sessionTtlMs: config.sessionTtlSeconds * 1000, maxSessionsPerUser: config.maxSessionsPerUser, unknownUserHash },
          throttle,
        ),
      [UserRepository, SessionRepository, PasswordHasher, TokenGenerator, Clock, Throttle],
    );
  container
    .bind(TOKENS.LogOut)
    .toResolvedValue((sessions, clock) => new LogOut(sessions, clock), [SessionRepository, Clock]);
  container
    .bind(TOKENS.GetProfile)
    .toResolvedValue((users, sessions, clock) => new GetProfile(users, sessions, clock), [
      UserRepository,
      SessionRepository,
      Clock,
    ]);
  container
    .bind(TOKENS.RequestPasswordReset)
    .toResolvedValue(
      (users, tokens, notifier, clock, throttle) =>
        new RequestPasswordReset(
          users,
          tokens,
          notifier,
          clock,
          { resetTokenTtlMs: config.resetTokenTtlSeconds * 1000 },
          throttle,
        ),
      [UserRepository, TokenGenerator, ResetTokenNotifier, Clock, Throttle],
    );
  container
    .bind(TOKENS.ResetPassword)
    .toResolvedValue(
      (users, sessions, hasher, clock, throttle) => new ResetPassword(users, sessions, hasher, clock, passwordPolicy, throttle),
      [UserRepository, SessionRepository, PasswordHasher, Clock, Throttle],
    );
}
