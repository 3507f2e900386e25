import type { ServiceIdentifier } from 'inversify';
import type { Clock } from '../domain/ports/clock.js';
import type { PasswordHasher } from '../domain/ports/password-hasher.js';
import type { Notifier } from '../domain/ports/notifier.js';
import type { SessionRepository } from '../domain/ports/session-repository.js';
import type { TokenGenerator } from '../domain/ports/token-generator.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { RateLimits } from '../domain/rules/rate-limits.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Store } from './store.js';
import { USE_CASES, type Ports, type UseCaseName, type UseCases } from './use-cases.js';

/** The DI tokens of every port, typed so that container.get returns the right interface. */
export const TOKENS = {
  Config: Symbol('Config') as ServiceIdentifier<Config>,
  Logger: Symbol('Logger') as ServiceIdentifier<Logger>,
  Store: Symbol('Store') as ServiceIdentifier<Store>,

  UserRepository: Symbol('UserRepository') as ServiceIdentifier<UserRepository>,
  SessionRepository: Symbol('SessionRepository') as ServiceIdentifier<SessionRepository>,
  PasswordHasher: Symbol('PasswordHasher') as ServiceIdentifier<PasswordHasher>,
  TokenGenerator: Symbol('TokenGenerator') as ServiceIdentifier<TokenGenerator>,
  Clock: Symbol('Clock') as ServiceIdentifier<Clock>,
  Notifier: Symbol('Notifier') as ServiceIdentifier<Notifier>,
  RateLimits: Symbol('RateLimits') as ServiceIdentifier<RateLimits>,

  Ports: Symbol('Ports') as ServiceIdentifier<Ports>,
} as const;

/** One token per use case of the table (src/app/use-cases.ts), typed by it. */
export const USE_CASE_TOKENS = Object.fromEntries((Object.keys(USE_CASES) as UseCaseName[]).map((name) => [name, Symbol(name)])) as {
  readonly [Name in UseCaseName]: ServiceIdentifier<UseCases[Name]>;
};
