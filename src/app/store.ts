import { InMemorySessionRepository } from '../adapters/memory/in-memory-session-repository.js';
import { InMemoryUserRepository } from '../adapters/memory/in-memory-user-repository.js';
import { MongoStore } from '../adapters/mongodb/mongo-store.js';
import type { SessionRepository } from '../domain/ports/session-repository.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/** The configured store: its repositories, a liveness probe and how to let go of it. */
export interface Store {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  /** Resolves when the store answers; rejects (StoreUnavailableError) when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(config: Config, logger: Logger): Promise<Store> {
  if (config.mongodb === undefined) {
    return {
      users: new InMemoryUserRepository(),
      sessions: new InMemorySessionRepository(),
      ping: async () => undefined,
      close: async () => undefined,
    };
  }
  const { uri, dbName, writeConcern, timeoutSeconds, startupTimeoutSeconds } = config.mongodb;
  return MongoStore.open({
    uri,
    dbName,
    writeConcern,
    timeoutMs: timeoutSeconds * 1000,
    startupTimeoutMs: startupTimeoutSeconds * 1000,
    onRetry: ({ attempt, delayMs, reason }) =>
      logger.warn({ attempt, retryInMs: delayMs, reason }, 'MongoDB not reachable yet, retrying'),
  });
}
