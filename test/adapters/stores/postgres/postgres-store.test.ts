import { PostgresStore } from '../../../../src/adapters/stores/postgres/postgres-store.js';
import { describeWithPostgres, uniqueSchemaName, type TestPostgres } from '../../../support/test-postgres.js';
import { describeRepositoryContract } from '../store-contract.js';

export function openPostgresStore(postgres: TestPostgres, schema = uniqueSchemaName('contract')): Promise<PostgresStore> {
  return PostgresStore.open({ url: postgres.url, schema, poolSize: 10, timeoutMs: 2000, startupTimeoutMs: 5000, sweepIntervalMs: 60_000 });
}

describeWithPostgres('PostgreSQL repositories', (postgres) => {
  const opened: PostgresStore[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describeRepositoryContract('postgres', async () => {
    const store = await openPostgresStore(postgres());
    opened.push(store);
    return store;
  });
});
