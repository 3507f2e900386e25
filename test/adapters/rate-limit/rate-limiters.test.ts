import { expect } from 'chai';
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

/**
 * The contract on the limiters of a store opened once for the block; and a limit counted by one
 * instance holding in another on the same database (`open` gives each call a store on the same one).
 */
function describeStoreLimiters(storeName: string, open: () => Promise<Store>): void {
  let store: Store;
  let sibling: Store;

  before(async () => {
    store = await open();
    sibling = await open();
  });

  after(async () => {
    await Promise.all([store.close(), sibling.close()]);
  });

  describeRateLimiterContract(storeName, () => (limit) => store.rateLimiter({ name: randomUUID(), ...limit }));

  it(`shares a limit between two instances on one database: ${storeName}`, async () => {
    const limit = { name: randomUUID(), attempts: 4, windowSeconds: 60 };
    const [here, there] = [store.rateLimiter(limit), sibling.rateLimiter(limit)];
    const verdicts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? here : there).hit('shared')));
    expect(verdicts.filter((verdict) => verdict.allowed)).to.have.length(4);
    await there.reset('shared');
    expect((await here.hit('shared')).allowed, 'a reset in one instance is seen by the other').to.equal(true);
  });
}

describeRateLimiterContract('in-memory', () => (limit) => memoryRateLimiter({ name: randomUUID(), ...limit }));

describe('SQLite rate limiters', () => {
  const path = uniqueSqlitePath('limiters');
  describeStoreLimiters('sqlite', async () =>
    SqliteStore.open({ path, synchronous: 'full', busyTimeoutMs: 1000, sweepIntervalMs: 60_000 }),
  );
});

describeWithPostgres('PostgreSQL rate limiters', (postgres) => {
  const schema = uniqueSchemaName('limiters');
  describeStoreLimiters('postgres', () =>
    PostgresStore.open({
      url: postgres().url,
      schema,
      poolSize: 10,
      timeoutMs: 2000,
      startupTimeoutMs: 5000,
      sweepIntervalMs: 60_000,
    }),
  );
});

describeWithMongo('MongoDB rate limiters', (mongo) => {
  const dbName = uniqueDatabaseName('limiters');
  describeStoreLimiters('mongodb', () =>
    MongoStore.open({ uri: mongo().uri, dbName, writeConcern: 'majority', timeoutMs: 2000, startupTimeoutMs: 5000 }),
  );
});
