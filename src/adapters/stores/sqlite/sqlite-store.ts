import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { RateLimiter } from '../../../domain/ports/rate-limiter.js';
import { RATE_LIMITS_TABLE, sqliteRateLimiter } from '../../rate-limit/sql-rate-limiters.js';
import { pendingMigrations } from '../migrations.js';
import { StoreUnreachableError, type RateLimit, type Store } from '../store.js';
import { startSweeper, SWEEP_BATCH, SWEEP_MAX_BATCHES } from '../sweeper.js';
import { SQLITE_MIGRATIONS } from './schema.js';
import { sqliteOperation } from './store-errors.js';
import { SqliteSessionRepository } from './sqlite-session-repository.js';
import { SqliteUserRepository } from './sqlite-user-repository.js';

export interface SqliteStoreOptions {
  /** The database file, created (with its folder) on first start. */
  readonly path: string;
  /**
   * `full`: every commit is on disk before it is acknowledged (survives a power loss). `normal`: in WAL
   * mode, a commit survives the process being killed, but the last ones may be lost to a power loss or an
   * OS crash. See the README's SQLite section.
   */
  readonly synchronous: 'full' | 'normal';
  /** How long a statement waits for another process's write lock (a backup, a second instance) before 503. */
  readonly busyTimeoutMs: number;
  /** How often expired sessions and rate-limit counters are deleted. */
  readonly sweepIntervalMs: number;
  readonly onSweepError?: (error: unknown) => void;
}

/**
 * The embedded default: one file, one connection, in WAL mode (readers never wait for the writer). It is
 * synchronous: every call runs on the event loop, which is why each is a single indexed statement.
 */
export class SqliteStore implements Store {
  readonly users: SqliteUserRepository;
  readonly sessions: SqliteSessionRepository;
  private readonly stopSweeper: () => Promise<void>;

  private constructor(
    private readonly db: Database.Database,
    options: SqliteStoreOptions,
  ) {
    this.users = new SqliteUserRepository(db);
    this.sessions = new SqliteSessionRepository(db);
    this.stopSweeper = startSweeper(
      async () => {
        await this.sweep(Date.now());
      },
      options.sweepIntervalMs,
      options.onSweepError ?? (() => undefined),
    );
  }

  /** Opens (creating) the file, sets WAL and the durability level, and brings the schema up to date. */
  static open(options: SqliteStoreOptions): SqliteStore {
    const path = resolve(options.path);
    let db: Database.Database | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      createOwnerOnly(path);
      db = new Database(path, { timeout: options.busyTimeoutMs });
      const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`the file system refused WAL mode (journal_mode is ${String(mode)})`);
      db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      migrate(db, path);
      return new SqliteStore(db, options);
    } catch (error) {
      db?.close();
      if (error instanceof StoreUnreachableError) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new StoreUnreachableError(`cannot use the SQLite database ${path}: ${reason}`);
    }
  }

  rateLimiter(limit: RateLimit): RateLimiter {
    return sqliteRateLimiter(this.db, limit);
  }

  async ping(): Promise<void> {
    sqliteOperation(() => this.db.prepare('SELECT 1').get());
  }

  async close(): Promise<boolean> {
    await this.stopSweeper();
    if (this.db.open) this.db.close();
    return true;
  }

  /**
   * Deletes sessions and rate-limit counters that expired before `nowMs`, SWEEP_BATCH rows per statement,
   * yielding to the event loop between statements, at most SWEEP_MAX_BATCHES each. Answers how many rows went.
   */
  async sweep(nowMs: number): Promise<number> {
    const statements = [
      this.db.prepare('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)'),
      this.db.prepare(`DELETE FROM ${RATE_LIMITS_TABLE} WHERE key IN (SELECT key FROM ${RATE_LIMITS_TABLE} WHERE expire <= ? LIMIT ?)`),
    ];
    let deleted = 0;
    for (const statement of statements) {
      for (let batch = 0; batch < SWEEP_MAX_BATCHES && this.db.open; batch += 1) {
        const { changes } = sqliteOperation(() => statement.run(nowMs, SWEEP_BATCH));
        deleted += changes;
        if (changes < SWEEP_BATCH) break;
        await yieldToEventLoop();
      }
    }
    return deleted;
  }
}

/**
 * Applies the pending migrations in one IMMEDIATE transaction: it takes the file's write lock first, so
 * a second process starting at the same moment waits (busy_timeout), then finds the schema current.
 */
function migrate(db: Database.Database, path: string): void {
  db.transaction(() => {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT',
    );
    const { current } = db.prepare<[], { current: number }>('SELECT coalesce(max(version), 0) AS current FROM schema_migrations').get() ?? {
      current: 0,
    };
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of pendingMigrations(SQLITE_MIGRATIONS, current, `the SQLite database ${path}`)) {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    }
  }).immediate();
}

/**
 * Creates the file, if it does not exist yet, readable and writable by its owner only: it holds password
 * hashes. SQLite gives the -wal and -shm files it creates beside it the same permissions. An existing
 * file keeps the ones it has (the operator's choice).
 */
function createOwnerOnly(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
}

/**
 * Copies the database at `sourcePath` to `destination`, a new file (an existing one is refused: EEXIST),
 * with SQLite's online backup, page by page: safe while the service writes to it (the copy is one
 * consistent state). Answers the number of pages copied.
 */
export async function backupSqliteDatabase(sourcePath: string, destination: string): Promise<number> {
  const target = resolve(destination);
  const db = new Database(resolve(sourcePath), { fileMustExist: true, readonly: true });
  try {
    // Created here, owner-only, and only if it does not exist (`wx`): a backup never overwrites a file.
    closeSync(openSync(target, 'wx', 0o600));
    try {
      const { totalPages } = await db.backup(target);
      return totalPages;
    } catch (error) {
      rmSync(target, { force: true });
      throw error;
    }
  } finally {
    db.close();
  }
}
