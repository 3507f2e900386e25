import { InMemorySessionRepository } from '../adapters/memory/in-memory-session-repository.js';
import { InMemoryUserRepository } from '../adapters/memory/in-memory-user-repository.js';
import { MongoStore } from '../adapters/mongodb/mongo-store.js';
import { FlexibleAttemptLimiter, memoryAttemptLimiter, type AttemptLimit } from '../adapters/rate-limit/flexible-attempt-limiter.js';
import type { AttemptLimiter } from '../domain/ports/attempt-limiter.js';
import type { SessionRepository } from '../domain/ports/session-repository.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/** The configured store: its repositories, its rate-limit counters, a liveness probe and how to let go of it. */
export interface Store {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  /** A limiter counting in this store, so that a limit holds across instances sharing it. */
  attemptLimiter(limit: AttemptLimit): AttemptLimiter;
  /** Resolves when the store answers; rejects (StoreUnavailableError) when it does not. */
  ping(): Promise<void>;
  /**
   * Lets go of the store; true once done. With `timeoutMs`, gives up after it and answers false (a hung
   * database must not hold a shutdown back).
   */
  close(timeoutMs?: number): Promise<boolean>;
}

export async function openStore(config: Config, logger: Logger): Promise<Store> {
  if (config.mongodb === undefined) {
    return {
      users: new InMemoryUserRepository(),
      sessions: new InMemorySessionRepository(),
      attemptLimiter: memoryAttemptLimiter,
      ping: async () => undefined,
      close: async () => true,
    };
  }
  const { uri, dbName, writeConcern, timeoutSeconds, startupTimeoutSeconds } = config.mongodb;
  const store = await MongoStore.open({
    uri,
    dbName,
    writeConcern,
    timeoutMs: timeoutSeconds * 1000,
    startupTimeoutMs: startupTimeoutSeconds * 1000,
    onRetry: ({ attempt, delayMs, reason }) =>
      logger.warn({ attempt, retryInMs: delayMs, reason }, 'MongoDB not reachable yet, retrying'),
  });
  return {
    users: store.users,
    sessions: store.sessions,
    attemptLimiter: (limit) => new FlexibleAttemptLimiter(store.rateLimiter(limit)),
    ping: () => store.ping(),
    close: (timeoutMs) => store.close(timeoutMs),
  };
}
