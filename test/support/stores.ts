import { describeWithMongo, uniqueDatabaseName } from './test-mongo.js';

/** Environment that points the service at a fresh, empty store; called once per server started. */
export type StoreEnv = () => Record<string, string>;

/**
 * Runs the same tests once per store: the in-memory default, and MongoDB (skipped with the reason printed
 * where there is none). Each server a test starts gets an empty database of its own.
 */
export function describeForEachStore(title: string, body: (storeEnv: StoreEnv, storeName: 'memory' | 'mongodb') => void): void {
  describe(`${title} [memory]`, () => body(() => ({ STORE: 'memory' }), 'memory'));
  describeWithMongo(`${title} [mongodb]`, (mongo) =>
    body(
      () => ({ STORE: 'mongodb', MONGODB_URI: mongo().uri, MONGODB_DB: uniqueDatabaseName(title), MONGODB_STARTUP_TIMEOUT: '10s' }),
      'mongodb',
    ),
  );
}
