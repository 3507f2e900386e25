import { describeWithMongo, uniqueDatabaseName } from './test-mongo.js';
import { describeWithPostgres, uniqueSchemaName } from './test-postgres.js';
import { uniqueSqlitePath } from './test-sqlite.js';

/** Environment that points the service at a fresh, empty store; called once per server started. */
export type StoreEnv = () => Record<string, string>;

export type StoreName = 'memory' | 'sqlite' | 'postgres' | 'mongodb';

/**
 * Runs the same tests once per store: in memory, SQLite (a file of its own), PostgreSQL (a schema of
 * its own on the run's throw-away cluster) and MongoDB (a database of its own). PostgreSQL and MongoDB
 * are skipped, with the reason printed, where there is none; with REQUIRE_POSTGRES=true (CI) a missing
 * PostgreSQL fails instead.
 */
export function describeForEachStore(title: string, body: (storeEnv: StoreEnv, storeName: StoreName) => void): void {
  describe(`${title} [memory]`, () => body(() => ({ STORE: 'memory' }), 'memory'));
  describe(`${title} [sqlite]`, () => body(() => ({ STORE: 'sqlite', SQLITE_PATH: uniqueSqlitePath(title) }), 'sqlite'));
  describeWithPostgres(`${title} [postgres]`, (postgres) =>
    body(
      () => ({ STORE: 'postgres', DATABASE_URL: postgres().url, PG_SCHEMA: uniqueSchemaName(title), PG_STARTUP_TIMEOUT: '10s' }),
      'postgres',
    ),
  );
  describeWithMongo(`${title} [mongodb]`, (mongo) =>
    body(
      () => ({ STORE: 'mongodb', MONGODB_URI: mongo().uri, MONGODB_DB: uniqueDatabaseName(title), MONGODB_STARTUP_TIMEOUT: '10s' }),
      'mongodb',
    ),
  );
}
