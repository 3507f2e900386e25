import { randomUUID } from 'node:crypto';
import { memoryRateLimiter } from '../../../src/adapters/rate-limit/flexible-rate-limiter.js';
import { MongoStore } from '../../../src/adapters/stores/mongodb/mongo-store.js';
import { PostgresStore } from '../../../src/adapters/stores/postgres/postgres-store.js';
import { SqliteStore } from '../../../src/adapters/stores/sqlite/sqlite-store.js';
import type { Store } from '../../../src/adapters/stores/store.js';
import { describeWithMongo, uniqueDatabaseName } from '../../support/test-mongo.js';
import { describeWithPostgres, uniqueSchemaName } from '../../support/test-postgres.js';
import { uniqueSqlitePath } from '../../support/test-sqlite.js';
import { describeRateLimiterContract } from './rate-limiter-contract.js';

/** The contract on the limiters of a store opened once for the block. */
function describeStoreLimiters(storeName: string, open: () => Promise<Store>): void {
  let store: Store;

  before(async () => {
    store = await open();
  });

  after(async () => {
    await store.close();
  });

  describeRateLimiterContract(storeName, () => (limit) => store.rateLimiter({ name: randomUUID(), ...limit }));
}

describeRateLimiterContract('in-memory', () => (limit) => memoryRateLimiter({ name: randomUUID(), ...limit }));

describe('SQLite rate limiters', () => {
  describeStoreLimiters('sqlite', async () =>
    SqliteStore.open({ path: uniqueSqlitePath('limiters'), synchronous: 'full', busyTimeoutMs: 1000, sweepIntervalMs: 60_000 }),
  );
});

describeWithPostgres('PostgreSQL rate limiters', (postgres) => {
  describeStoreLimiters('postgres', () =>
    PostgresStore.open({
      url: postgres().url,
      schema: uniqueSchemaName('limiters'),
      poolSize: 10,
      timeoutMs: 2000,
      startupTimeoutMs: 5000,
      sweepIntervalMs: 60_000,
    }),
  );
});

describeWithMongo('MongoDB rate limiters', (mongo) => {
  describeStoreLimiters('mongodb', () =>
    MongoStore.open({ uri: mongo().uri, dbName: uniqueDatabaseName('limiters'), writeConcern: 'majority', timeoutMs: 2000, startupTimeoutMs: 5000 }),
  );
});
