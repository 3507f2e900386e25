import type { Db, MongoClient } from 'mongodb';
import { RateLimiterMongo, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimit } from '../stores/store.js';
import { FlexibleRateLimiter } from './flexible-rate-limiter.js';

/** Every limit's counters, told apart by key prefix. */
const RATE_LIMITS_COLLECTION = 'rate_limits';

/** The indexes rate-limiter-flexible expects: one counter per key, removed once its window is over. Idempotent. */
export async function ensureMongoRateLimiterIndexes(db: Db): Promise<void> {
  await db.collection(RATE_LIMITS_COLLECTION).createIndexes([
    { key: { key: 1 }, name: 'key_unique', unique: true },
    { key: { expire: -1 }, name: 'expire_ttl', expireAfterSeconds: 0 },
  ]);
}

/**
 * A limiter counting in this MongoDB database, so that the limit holds across every instance of the
 * service. `bounded` puts the store's time limit on the library's queries, which have none of their own.
 */
export function mongoRateLimiter(
  client: MongoClient,
  db: Db,
  limit: RateLimit,
  bounded: (limiter: RateLimiterAbstract) => RateLimiterAbstract,
): FlexibleRateLimiter {
  const limiter = new RateLimiterMongo({
    storeClient: client,
    dbName: db.databaseName,
    tableName: RATE_LIMITS_COLLECTION,
    keyPrefix: limit.name,
    points: limit.attempts,
    duration: limit.windowSeconds,
    // Created by ensureMongoRateLimiterIndexes at start-up instead, where a failure stops the service.
    disableIndexesCreation: true,
  });
  return new FlexibleRateLimiter(bounded(limiter));
}
