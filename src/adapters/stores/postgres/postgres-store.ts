import pg from 'pg';
import { StoreUnavailableError } from '../../../domain/errors.js';
import type { RateLimiter } from '../../../domain/ports/rate-limiter.js';
import { postgresRateLimiter, RATE_LIMITS_TABLE } from '../../rate-limit/sql-rate-limiters.js';
import { TIMED_OUT, within, withDeadline, withDeadlines } from '../deadlines.js';
import { pendingMigrations } from '../migrations.js';
import { retryAtStartup } from '../startup-retry.js';
import type { RateLimit, Store } from '../store.js';
import { startSweeper, SWEEP_BATCH, SWEEP_MAX_BATCHES } from '../sweeper.js';
import { PostgresSessionRepository } from './postgres-session-repository.js';
import { PostgresUserRepository } from './postgres-user-repository.js';
import { postgresMigrations } from './schema.js';
import { isTransient, postgresOperation } from './store-errors.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database?…`: may carry a password, never logged as is. */
  readonly url: string;
  /** The schema holding the service's tables, created on first start. */
  readonly schema: string;
  readonly poolSize: number;
  /**
   * The store's one time limit: connecting, the server-side statement_timeout, and the deadline of every
   * repository call, rate-limit count and ping (past it: StoreUnavailableError).
   */
  readonly timeoutMs: number;
  /** How long start-up keeps retrying an unreachable server. */
  readonly startupTimeoutMs: number;
  /** How often expired sessions and rate-limit counters are deleted. */
  readonly sweepIntervalMs: number;
  readonly onRetry?: (details: { attempt: number; delayMs: number; reason: string }) => void;
  /** An idle connection's error (the server restarted, say): the pool drops it and opens a new one when needed. */
  readonly onIdleError?: (error: Error) => void;
  readonly onSweepError?: (error: unknown) => void;
}

/** Connecting and migrating at start-up took longer than its deadline: the server accepted the connection but does not answer. */
class MigrationTimeoutError extends Error {
  override readonly name = 'MigrationTimeoutError';

  constructor(timeoutMs: number, cause: unknown) {
    super(`preparing the schema did not finish within ${timeoutMs} ms (the database does not answer)`, { cause });
  }
}

/** host:port/database of a connection URL, never its credentials. */
export function describePostgres(url: string): string {
  const parsed = URL.parse(url);
  return parsed === null ? '(unparseable URL)' : `${parsed.host}${parsed.pathname}`;
}

/**
 * One pool for the process. The pool reconnects by itself after an outage; meanwhile the repositories
 * answer StoreUnavailableError within timeoutMs, whether the server is down or hung.
 */
export class PostgresStore implements Store {
  readonly users: PostgresUserRepository;
  readonly sessions: PostgresSessionRepository;
  private readonly stopSweeper: () => Promise<void>;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresStoreOptions,
  ) {
    this.users = withDeadlines(new PostgresUserRepository(pool, options.schema), options.timeoutMs);
    this.sessions = withDeadlines(new PostgresSessionRepository(pool, options.schema), options.timeoutMs);
    this.stopSweeper = startSweeper(
      async () => {
        await this.sweep(new Date());
      },
      options.sweepIntervalMs,
      options.onSweepError ?? (() => undefined),
    );
  }

  /** Connects, retrying with exponential backoff up to startupTimeoutMs, then brings the schema up to date. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    return retryAtStartup({
      startupTimeoutMs: options.startupTimeoutMs,
      isRetryable: (error) => error instanceof MigrationTimeoutError || isTransient(error),
      failure: (attempts, reason) => `cannot use PostgreSQL at ${describePostgres(options.url)} after ${attempts} attempt(s): ${reason}`,
      ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
      attempt: async () => {
        const pool = new pg.Pool({
          connectionString: options.url,
          max: options.poolSize,
          application_name: 'auth-service',
          connectionTimeoutMillis: options.timeoutMs,
          // The server stops a statement past the time limit, so that work behind a deadline does not pile up.
          statement_timeout: options.timeoutMs,
          idleTimeoutMillis: 30_000,
          keepAlive: true,
        });
        // Without a listener, an idle connection's error (a server restart) would crash the process.
        pool.on('error', options.onIdleError ?? (() => undefined));
        try {
          await withDeadline(migrate(pool, options.schema, describePostgres(options.url)), options.timeoutMs * 10);
          return new PostgresStore(pool, options);
        } catch (error) {
          // Bounded: pool.end() waits for every checked-out client, and a migration stuck on a hung server
          // never gives its client back; unbounded, start-up would hang past PG_STARTUP_TIMEOUT, forever.
          await within(pool.end(), options.timeoutMs).catch(() => undefined);
          // Only the deadline throws StoreUnavailableError here: a hung server, worth retrying, and said as such.
          if (error instanceof StoreUnavailableError) throw new MigrationTimeoutError(options.timeoutMs * 10, error);
          throw error;
        }
      },
    });
  }

  rateLimiter(limit: RateLimit): RateLimiter {
    return postgresRateLimiter(this.pool, this.options.schema, limit, (limiter) => withDeadlines(limiter, this.options.timeoutMs));
  }

  async ping(): Promise<void> {
    await withDeadline(
      postgresOperation(() => this.pool.query('SELECT 1')),
      this.options.timeoutMs,
    );
  }

  /** Ends the pool; true once ended. With `timeoutMs`, gives up after it and answers false. */
  async close(timeoutMs?: number): Promise<boolean> {
    const closing = (async () => {
      await this.stopSweeper();
      await this.pool.end();
    })();
    if (timeoutMs === undefined) {
      await closing;
      return true;
    }
    return (await within(closing, timeoutMs)) !== TIMED_OUT;
  }

  /**
   * Deletes sessions and rate-limit counters that expired before `now`, SWEEP_BATCH rows per statement, at
   * most SWEEP_MAX_BATCHES each. SKIP LOCKED: instances sweeping at once share the work instead of waiting.
   */
  async sweep(now: Date): Promise<number> {
    const qualified = (name: string) => `"${this.options.schema}".${name}`;
    const statements: Array<[string, unknown]> = [
      [
        `DELETE FROM ${qualified('sessions')} WHERE id IN (
           SELECT id FROM ${qualified('sessions')} WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        now,
      ],
      [
        `DELETE FROM ${qualified(RATE_LIMITS_TABLE)} WHERE key IN (
           SELECT key FROM ${qualified(RATE_LIMITS_TABLE)} WHERE expire <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        now.getTime(),
      ],
    ];
    let deleted = 0;
    for (const [text, cutoff] of statements) {
      for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch += 1) {
        const { rowCount } = await postgresOperation(() => this.pool.query(text, [cutoff, SWEEP_BATCH]));
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < SWEEP_BATCH) break;
      }
    }
    return deleted;
  }
}

/**
 * Applies the pending migrations in one transaction, under a transaction-level advisory lock on the
 * schema's name: a second instance starting at the same moment waits for the first, then finds the
 * schema current. DDL is transactional in PostgreSQL: a failing step leaves the database as it was.
 */
async function migrate(pool: pg.Pool, schema: string, where: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`auth-service migrations ${schema}`]);
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ current: number }>(
      `SELECT coalesce(max(version), 0) AS current FROM "${schema}".schema_migrations`,
    );
    for (const migration of pendingMigrations(
      postgresMigrations(schema),
      rows[0]?.current ?? 0,
      `PostgreSQL at ${where} (schema ${schema})`,
    )) {
      await client.query(migration.sql);
      await client.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
