import { openMemoryStore } from '../adapters/stores/memory/memory-store.js';
import { MongoStore } from '../adapters/stores/mongodb/mongo-store.js';
import { PostgresStore } from '../adapters/stores/postgres/postgres-store.js';
import { SqliteStore } from '../adapters/stores/sqlite/sqlite-store.js';
import type { Store } from '../adapters/stores/store.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

export type { Store } from '../adapters/stores/store.js';

/** How often the SQL stores delete expired sessions and rate-limit counters (MongoDB's TTL indexes do it by themselves). */
const SWEEP_INTERVAL_MS = 60_000;
/** How long SQLite waits for another process's write lock (a second instance on the file) before 503. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** The configured store, from its adapter's one factory. */
export async function openStore(config: Config, logger: Logger): Promise<Store> {
  const onSweepError = (error: unknown) => logger.warn({ error }, 'deleting expired sessions failed; trying again later');
  const onRetry =
    (what: string) =>
    ({ attempt, delayMs, reason }: { attempt: number; delayMs: number; reason: string }) =>
      logger.warn({ attempt, retryInMs: delayMs, reason }, `${what} not reachable yet, retrying`);
  switch (config.store) {
    case 'memory':
      return openMemoryStore();
    case 'sqlite':
      return SqliteStore.open({
        ...config.sqlite,
        busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
        sweepIntervalMs: SWEEP_INTERVAL_MS,
        onSweepError,
      });
    case 'postgres': {
      const { url, schema, poolSize, timeoutSeconds, startupTimeoutSeconds } = config.postgres;
      return PostgresStore.open({
        url,
        schema,
        poolSize,
        timeoutMs: timeoutSeconds * 1000,
        startupTimeoutMs: startupTimeoutSeconds * 1000,
        sweepIntervalMs: SWEEP_INTERVAL_MS,
        onRetry: onRetry('PostgreSQL'),
        onIdleError: (error) =>
          logger.warn({ reason: error.message }, 'a PostgreSQL connection failed while idle; the pool opens a new one'),
        onSweepError,
      });
    }
    case 'mongodb': {
      const { uri, dbName, writeConcern, timeoutSeconds, startupTimeoutSeconds } = config.mongodb;
      return MongoStore.open({
        uri,
        dbName,
        writeConcern,
        timeoutMs: timeoutSeconds * 1000,
        startupTimeoutMs: startupTimeoutSeconds * 1000,
        onRetry: onRetry('MongoDB'),
      });
    }
  }
}
