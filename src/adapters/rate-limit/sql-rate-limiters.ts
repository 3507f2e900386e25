import type { Database } from 'better-sqlite3';
import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimit } from '../stores/store.js';
import { FlexibleRateLimiter } from './flexible-rate-limiter.js';

/**
 * The table every limit's counters share, told apart by key prefix. Its store creates it in a schema
 * migration (`key` TEXT PRIMARY KEY, `points`, `expire` in ms), under the migration lock, so the library
 * is told not to create it (two instances starting together would race at that).
 */
export const RATE_LIMITS_TABLE = 'rate_limits';

/** A limiter counting in this SQLite database (better-sqlite3: each count is one transaction). */
export function sqliteRateLimiter(db: Database, limit: RateLimit): FlexibleRateLimiter {
  const limiter = new RateLimiterSQLite({
    storeClient: db,
    storeType: 'better-sqlite3',
    tableName: RATE_LIMITS_TABLE,
    tableCreated: true,
    keyPrefix: limit.name,
    points: limit.attempts,
    duration: limit.windowSeconds,
  });
  return new FlexibleRateLimiter(limiter);
}

/**
 * A limiter counting in this PostgreSQL schema, so that the limit holds across every instance sharing
 * the database (an upsert per count). `bounded` puts the store's time limit on its queries.
 */
export function postgresRateLimiter(
  pool: Pool,
  schema: string,
  limit: RateLimit,
  bounded: (limiter: RateLimiterAbstract) => RateLimiterAbstract,
): FlexibleRateLimiter {
  const limiter = new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    schemaName: schema,
    tableName: RATE_LIMITS_TABLE,
    tableCreated: true,
    keyPrefix: limit.name,
    points: limit.attempts,
    duration: limit.windowSeconds,
  });
  return new FlexibleRateLimiter(bounded(limiter));
}
