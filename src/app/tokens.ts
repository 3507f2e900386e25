import type { ServiceIdentifier } from 'inversify';
import type { Clock } from '../domain/ports/clock.js';
import type { PasswordHasher } from '../domain/ports/password-hasher.js';
import type { ResetTokenNotifier } from '../domain/ports/reset-token-notifier.js';
import type { SessionRepository } from '../domain/ports/session-repository.js';
import type { TokenGenerator } from '../domain/ports/token-generator.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { GetProfile } from '../domain/use-cases/get-profile.js';
import type { LogIn } from '../domain/use-cases/log-in.js';
import type { LogOut } from '../domain/use-cases/log-out.js';
import type { RegisterUser } from '../domain/use-cases/register-user.js';
import type { RequestPasswordReset } from '../domain/use-cases/request-password-reset.js';
import type { ResetPassword } from '../domain/use-cases/reset-password.js';
import type { Throttle } from '../domain/rules/throttle.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Store } from './store.js';

/** The DI tokens of every port and use case, typed so that container.get returns the right interface. */
export const TOKENS = {
  Config: Symbol('Config') as ServiceIdentifier<Config>,
  Logger: Symbol('Logger') as ServiceIdentifier<Logger>,
  Store: Symbol('Store') as ServiceIdentifier<Store>,

  UserRepository: Symbol('UserRepository') as ServiceIdentifier<UserRepository>,
  SessionRepository: Symbol('SessionRepository') as ServiceIdentifier<SessionRepository>,
  PasswordHasher: Symbol('PasswordHasher') as ServiceIdentifier<PasswordHasher>,
  TokenGenerator: Symbol('TokenGenerator') as ServiceIdentifier<TokenGenerator>,
  Clock: Symbol('Clock') as ServiceIdentifier<Clock>,
  ResetTokenNotifier: Symbol('ResetTokenNotifier') as ServiceIdentifier<ResetTokenNotifier>,
  Throttle: Symbol('Throttle') as ServiceIdentifier<Throttle>,

  RegisterUser: Symbol('RegisterUser') as ServiceIdentifier<RegisterUser>,
  LogIn: Symbol('LogIn') as ServiceIdentifier<LogIn>,
  LogOut: Symbol('LogOut') as ServiceIdentifier<LogOut>,
  GetProfile: Symbol('GetProfile') as ServiceIdentifier<GetProfile>,
  RequestPasswordReset: Symbol('RequestPasswordReset') as ServiceIdentifier<RequestPasswordReset>,
  ResetPassword: Symbol('ResetPassword') as ServiceIdentifier<ResetPassword>,
} as const;
