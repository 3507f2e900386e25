import type { Db, MongoClient } from 'mongodb';
import { RateLimiterMongo, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AttemptLimit } from '../store.js';
import { FlexibleAttemptLimiter } from './flexible-attempt-limiter.js';

/** Every limit's counters, told apart by key prefix. */
const RATE_LIMITS_COLLECTION = 'rate_limits';

/** The indexes rate-limiter-flexible expects: one counter per key, removed once its window is over. Idempotent. */
export async function ensureMongoAttemptLimiterIndexes(db: Db): Promise<void> {
  await db.collection(RATE_LIMITS_COLLECTION).createIndexes([
    { key: { key: 1 }, name: 'key_unique', unique: true },
    { key: { expire: -1 }, name: 'expire_ttl', expireAfterSeconds: 0 },
  ]);
}

/**
 * A limiter counting in this MongoDB database, so that the limit holds across every instance of the
 * service. `bounded` puts the store's time limit on the library's queries, which have none of their own.
 */
export function mongoAttemptLimiter(
  client: MongoClient,
  db: Db,
  limit: AttemptLimit,
  bounded: (limiter: RateLimiterAbstract) => RateLimiterAbstract,
): FlexibleAttemptLimiter {
  const limiter = new RateLimiterMongo({
    storeClient: client,
    dbName: db.databaseName,
    tableName: RATE_LIMITS_COLLECTION,
    keyPrefix: limit.name,
    points: limit.attempts,
    duration: limit.windowSeconds,
    // Created by ensureMongoAttemptLimiterIndexes at start-up instead, where a failure stops the service.
    disableIndexesCreation: true,
  });
  return new FlexibleAttemptLimiter(bounded(limiter));
}
