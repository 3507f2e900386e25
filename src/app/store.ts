import { openMemoryStore } from '../adapters/stores/memory/memory-store.js';
import { MongoStore } from '../adapters/stores/mongodb/mongo-store.js';
import type { Store } from '../adapters/stores/store.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

export type { Store } from '../adapters/stores/store.js';

/** The configured store, from its adapter's one factory. */
export async function openStore(config: Config, logger: Logger): Promise<Store> {
  if (config.mongodb === undefined) return openMemoryStore();
  const { uri, dbName, writeConcern, timeoutSeconds, startupTimeoutSeconds } = config.mongodb;
  return MongoStore.open({
    uri,
    dbName,
    writeConcern,
    timeoutMs: timeoutSeconds * 1000,
    startupTimeoutMs: startupTimeoutSeconds * 1000,
    onRetry: ({ attempt, delayMs, reason }) => logger.warn({ attempt, retryInMs: delayMs, reason }, 'MongoDB not reachable yet, retrying'),
  });
}
