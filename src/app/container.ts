import 'reflect-metadata';
import { Container } from 'inversify';
import { BcryptPasswordHasher } from '../adapters/bcrypt/bcrypt-password-hasher.js';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { RandomTokenGenerator } from '../adapters/crypto/random-token-generator.js';
import { ResponseResetTokenNotifier } from '../adapters/notifier/response-reset-token-notifier.js';
import { GetProfile } from '../domain/use-cases/get-profile.js';
import { LogIn } from '../domain/use-cases/log-in.js';
import { LogOut } from '../domain/use-cases/log-out.js';
import { RegisterUser } from '../domain/use-cases/register-user.js';
import { RequestPasswordReset } from '../domain/use-cases/request-password-reset.js';
import { ResetPassword } from '../domain/use-cases/reset-password.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { openStore } from './store.js';
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
  container.bind(TOKENS.PasswordHasher).toConstantValue(new BcryptPasswordHasher(config.bcryptCost));
  container.bind(TOKENS.TokenGenerator).toConstantValue(new RandomTokenGenerator());
  container.bind(TOKENS.Clock).toConstantValue(new SystemClock());
  container.bind(TOKENS.ResetTokenNotifier).toConstantValue(new ResponseResetTokenNotifier());

  bindUseCases(container, config);
  return container;
}

/** Lets go of what createContainer opened. */
export async function disposeContainer(container: Container): Promise<void> {
  await container.get(TOKENS.Store).close();
  await container.unbindAllAsync();
}

function bindUseCases(container: Container, config: Config): void {
  const passwordPolicy = { minLength: config.passwordMinLength };
  const { UserRepository, SessionRepository, PasswordHasher, TokenGenerator, Clock, ResetTokenNotifier } = TOKENS;

  container
    .bind(TOKENS.RegisterUser)
    .toResolvedValue(
      (users, hasher, tokens, clock) => new RegisterUser(users, hasher, tokens, clock, passwordPolicy),
      [UserRepository, PasswordHasher, TokenGenerator, Clock],
    );
  container
    .bind(TOKENS.LogIn)
    .toResolvedValue(
      (users, sessions, hasher, tokens, clock) =>
        new LogIn(users, sessions, hasher, tokens, clock, { sessionTtlMs: config.sessionTtlSeconds * 1000 }),
      [UserRepository, SessionRepository, PasswordHasher, TokenGenerator, Clock],
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
      (users, tokens, notifier, clock) =>
        new RequestPasswordReset(users, tokens, notifier, clock, { resetTokenTtlMs: config.resetTokenTtlSeconds * 1000 }),
      [UserRepository, TokenGenerator, ResetTokenNotifier, Clock],
    );
  container
    .bind(TOKENS.ResetPassword)
    .toResolvedValue(
      (users, sessions, hasher, clock) => new ResetPassword(users, sessions, hasher, clock, passwordPolicy),
      [UserRepository, SessionRepository, PasswordHasher, Clock],
    );
}
