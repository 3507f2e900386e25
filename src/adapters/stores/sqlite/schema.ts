import type { Migration } from '../migrations.js';

/**
 * The SQLite schema, step by step (see Migration). Instants are INTEGER milliseconds since the epoch;
 * STRICT tables refuse a value of the wrong type instead of storing it.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users and sessions',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        password_version INTEGER NOT NULL DEFAULT 0,
        reset_token_hash TEXT,
        reset_token_expires_at INTEGER,
        spent_reset_token_hash TEXT,
        spent_reset_token_expires_at INTEGER,
        password_changed_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      -- Uniqueness is the index's: of two concurrent registrations of one email, one insert fails.
      CREATE UNIQUE INDEX users_email_unique ON users (email);
      CREATE UNIQUE INDEX users_reset_token_hash_unique ON users (reset_token_hash) WHERE reset_token_hash IS NOT NULL;
      -- Keyed by the SHA-256 digest of the session token: the token itself is never stored.
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        password_version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      -- A user's sessions, newest first: ending all of them, and trimming the oldest beyond the cap.
      CREATE INDEX sessions_user_id_created_at ON sessions (user_id, created_at DESC);
    `,
  },
  {
    version: 2,
    name: 'expiry sweep and rate-limit counters',
    sql: `
      CREATE INDEX sessions_expires_at ON sessions (expires_at);
      -- The table rate-limiter-flexible's SQLite limiter expects (key, points, expire in ms); every limit's
      -- counters, told apart by key prefix.
      CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,
        points INTEGER NOT NULL DEFAULT 0,
        expire INTEGER
      );
      CREATE INDEX rate_limits_expire ON rate_limits (expire);
    `,
  },
  {
    version: 3,
    name: 'session handles, last use and client',
    sql: `
      -- The public handle that names a session to its user (GET /sessions): random, unrelated to the token.
      -- Sessions from before get one here; the idle timeout counts their last use from their creation.
      ALTER TABLE sessions ADD COLUMN handle TEXT NOT NULL DEFAULT '';
      UPDATE sessions SET handle = lower(hex(randomblob(32)));
      ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
      UPDATE sessions SET last_seen_at = created_at;
      ALTER TABLE sessions ADD COLUMN user_agent TEXT;
      ALTER TABLE sessions ADD COLUMN address TEXT;
    `,
  },
  {
    version: 4,
    name: 'email verification and email change',
    sql: `
      -- Users from before are unverified (email_verified_at NULL) and have no token or pending change.
      ALTER TABLE users ADD COLUMN email_verified_at INTEGER;
      ALTER TABLE users ADD COLUMN verification_token_hash TEXT;
      ALTER TABLE users ADD COLUMN verification_token_expires_at INTEGER;
      ALTER TABLE users ADD COLUMN pending_email TEXT;
      ALTER TABLE users ADD COLUMN email_change_token_hash TEXT;
      ALTER TABLE users ADD COLUMN email_change_token_expires_at INTEGER;
      ALTER TABLE users ADD COLUMN email_change_session_id TEXT;
      CREATE UNIQUE INDEX users_verification_token_hash_unique ON users (verification_token_hash)
        WHERE verification_token_hash IS NOT NULL;
      -- What an email change is looked up by when its token is spent.
      CREATE UNIQUE INDEX users_email_change_token_hash_unique ON users (email_change_token_hash)
        WHERE email_change_token_hash IS NOT NULL;
    `,
  },
];
