import 'reflect-metadata';
import { Container, type ServiceIdentifier } from 'inversify';
import { BcryptPasswordHasher } from '../adapters/password-hashing/bcrypt-password-hasher.js';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { RandomTokenGenerator } from '../adapters/tokens/random-token-generator.js';
import { SmtpNotifier } from '../adapters/notification/smtp-notifier.js';
import { ResponseNotifier } from '../adapters/notification/response-notifier.js';
import { UnlimitedRateLimiter } from '../adapters/rate-limit/flexible-rate-limiter.js';
import type { Notifier } from '../domain/ports/notifier.js';
import { RateLimits, type RateLimiters } from '../domain/rules/rate-limits.js';
import type { Config, RateLimitsConfig } from './config.js';
import type { Logger } from './logger.js';
import { openStore, type Store } from './store.js';
import { TOKENS, USE_CASE_TOKENS } from './tokens.js';
import { USE_CASES, type Ports, type Startup, type UseCaseName, type UseCases } from './use-cases.js';

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
  container.bind(TOKENS.RateLimits).toConstantValue(new RateLimits(rateLimiters(config.rateLimits, store)));
  // The bound on one address's waiting hashes is a rate limit (a 429): RATE_LIMIT=off, where all load comes
  // from one address, lifts it; the queue stays fair.
  const maxQueuedPerClient = config.rateLimits === null ? Number.POSITIVE_INFINITY : config.hashQueuePerClient;
  container
    .bind(TOKENS.PasswordHasher)
    .toConstantValue(new BcryptPasswordHasher(config.bcryptCost, { concurrency: config.hashConcurrency, maxQueuedPerClient }));
  container.bind(TOKENS.TokenGenerator).toConstantValue(new RandomTokenGenerator());
  container.bind(TOKENS.Clock).toConstantValue(new SystemClock());
  container.bind(TOKENS.Notifier).toConstantValue(notifier(config, logger));

  // The hash an unknown email is compared against: made now, so that even the first log-in after
  // start-up costs exactly what a wrong password costs.
  const unknownUserHash = await container.get(TOKENS.PasswordHasher).hash(container.get(TOKENS.TokenGenerator).generate());
  bindUseCases(container, { config, unknownUserHash });
  return container;
}

/** RESET_TOKEN_DELIVERY: tokens and notices by email over SMTP, or tokens in the HTTP response (the seed's behaviour). */
function notifier(config: Config, logger: Logger): Notifier {
  if (config.email === undefined) return new ResponseNotifier();
  return new SmtpNotifier({
    smtpUrl: config.email.smtpUrl,
    from: config.email.mailFrom,
    timeoutMs: config.email.smtpTimeoutSeconds * 1000,
    resetUrl: config.email.resetUrl,
    verifyUrl: config.email.verifyUrl,
    serviceName: config.serviceName,
    defaultLocale: config.mailLocale,
    // The kind and the transport's error code only: never the message, its address or its link.
    onBackgroundFailure: (kind, error) => logger.error({ kind, err: mailError(error) }, 'a notice could not be sent'),
  });
}

/** What of a failed send is logged: the error's class, code and the transport's, never a message's content. */
function mailError(error: unknown): Record<string, unknown> {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (value: unknown) => (typeof value === 'object' && value !== null && 'code' in value ? String(value.code) : undefined);
  return { type: error instanceof Error ? error.name : typeof error, code: code(error), transportCode: code(cause) };
}

/** The rate limiting limits, counted in the configured store; with RATE_LIMIT=off, nothing is counted. */
function rateLimiters(limits: RateLimitsConfig | null, store: Store): RateLimiters {
  if (limits === null) {
    const unlimited = new UnlimitedRateLimiter();
    return {
      requestsByAddress: unlimited,
      requestsByAccountAndAddress: unlimited,
      logInFailuresByAccountAndAddress: unlimited,
      logInFailuresByAccount: unlimited,
    };
  }
  return {
    requestsByAddress: store.rateLimiter({ name: 'address', ...limits.requestsByAddress }),
    requestsByAccountAndAddress: store.rateLimiter({ name: 'account-address', ...limits.requestsByAccountAndAddress }),
    logInFailuresByAccountAndAddress: store.rateLimiter({ name: 'login-failures', ...limits.logInFailuresByAccountAndAddress }),
    logInFailuresByAccount: store.rateLimiter({ name: 'account-login-failures', ...limits.logInFailuresByAccount }),
  };
}

/** The use cases of the table, resolved once (never per request). */
export function resolveUseCases(container: Container): UseCases {
  const names = Object.keys(USE_CASES) as UseCaseName[];
  return Object.fromEntries(names.map((name) => [name, container.get(USE_CASE_TOKENS[name] as ServiceIdentifier<object>)])) as UseCases;
}

/**
 * Lets go of what createContainer opened. With `timeoutMs`, the store is given that long to close, and
 * the answer is false when it did not (it is then left behind: see Store.close).
 */
export async function disposeContainer(container: Container, timeoutMs?: number): Promise<boolean> {
  // Notices still being sent are let finish (each within SMTP_TIMEOUT): they follow changes already made.
  const notifier = container.get(TOKENS.Notifier);
  if (notifier instanceof SmtpNotifier) await notifier.close();
  const storeClosed = await container.get(TOKENS.Store).close(timeoutMs);
  await container.unbindAllAsync();
  return storeClosed;
}

/** Every use case of the table, bound to its token, made (once) from the ports as then bound. */
function bindUseCases(container: Container, startup: Startup): void {
  container.bind(TOKENS.Ports).toResolvedValue(
    (users, sessions, hasher, tokens, clock, notifier, rateLimits): Ports => ({
      users,
      sessions,
      hasher,
      tokens,
      clock,
      notifier,
      rateLimits,
    }),
    [
      TOKENS.UserRepository,
      TOKENS.SessionRepository,
      TOKENS.PasswordHasher,
      TOKENS.TokenGenerator,
      TOKENS.Clock,
      TOKENS.Notifier,
      TOKENS.RateLimits,
    ],
  );
  for (const name of Object.keys(USE_CASES) as UseCaseName[]) {
    const make = USE_CASES[name] as (ports: Ports, startup: Startup) => object;
    const token = USE_CASE_TOKENS[name] as ServiceIdentifier<object>;
    container.bind(token).toResolvedValue((ports: Ports) => make(ports, startup), [TOKENS.Ports]);
  }
}
