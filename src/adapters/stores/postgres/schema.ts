import type { Migration } from '../migrations.js';

/**
 * The PostgreSQL schema, step by step (see Migration), for the tables of one schema (PG_SCHEMA): every
 * name is qualified with it, so that nothing depends on the connection's search_path (a pooler may not
 * pass it on).
 */
export function postgresMigrations(schema: string): readonly Migration[] {
  const table = (name: string) => `"${schema}".${name}`;
  return [
    {
      version: 1,
      name: 'users and sessions',
      sql: `
        CREATE TABLE ${table('users')} (
          id text PRIMARY KEY,
          email text NOT NULL,
          password_hash text NOT NULL,
          password_version integer NOT NULL DEFAULT 0,
          reset_token_hash text,
          reset_token_expires_at timestamptz,
          spent_reset_token_hash text,
          spent_reset_token_expires_at timestamptz,
          password_changed_at timestamptz NOT NULL,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          -- Uniqueness is the constraint's: of two concurrent registrations of one email, one insert fails (23505).
          CONSTRAINT users_email_unique UNIQUE (email),
          CONSTRAINT users_reset_token_hash_unique UNIQUE (reset_token_hash)
        );
        -- Keyed by the SHA-256 digest of the session token: the token itself is never stored.
        CREATE TABLE ${table('sessions')} (
          id text PRIMARY KEY,
          user_id text NOT NULL,
          password_version integer NOT NULL,
          created_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL
        );
        -- A user's sessions, newest first: ending all of them, and trimming the oldest beyond the cap.
        CREATE INDEX sessions_user_id_created_at ON ${table('sessions')} (user_id, created_at DESC);
      `,
    },
    {
      version: 2,
      name: 'expiry sweep and rate-limit counters',
      sql: `
        CREATE INDEX sessions_expires_at ON ${table('sessions')} (expires_at);
        -- The table rate-limiter-flexible's PostgreSQL limiter expects (key, points, expire in ms); every
        -- limit's counters, told apart by key prefix. text, not the library's varchar(255): a key holds an
        -- email address, and one at the validator's edge must not fail the insert.
        CREATE TABLE ${table('rate_limits')} (
          key text PRIMARY KEY,
          points integer NOT NULL DEFAULT 0,
          expire bigint
        );
        CREATE INDEX rate_limits_expire ON ${table('rate_limits')} (expire);
      `,
    },
    {
      version: 3,
      name: 'session handles, last use and client',
      sql: `
        -- The public handle that names a session to its user (GET /sessions): random, unrelated to the token.
        -- Sessions from before get one here; the idle timeout counts their last use from their creation.
        ALTER TABLE ${table('sessions')} ADD COLUMN handle text, ADD COLUMN last_seen_at timestamptz,
          ADD COLUMN user_agent text, ADD COLUMN address text;
        UPDATE ${table('sessions')} SET handle = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
          last_seen_at = created_at;
        ALTER TABLE ${table('sessions')} ALTER COLUMN handle SET NOT NULL, ALTER COLUMN last_seen_at SET NOT NULL;
      `,
    },
    {
      version: 4,
      name: 'email verification and email change',
      sql: `
        -- Users from before are unverified (email_verified_at NULL) and have no token or pending change.
        ALTER TABLE ${table('users')}
          ADD COLUMN email_verified_at timestamptz,
          ADD COLUMN verification_token_hash text,
          ADD COLUMN verification_token_expires_at timestamptz,
          ADD COLUMN pending_email text,
          ADD COLUMN email_change_token_hash text,
          ADD COLUMN email_change_token_expires_at timestamptz,
          ADD COLUMN email_change_session_id text,
          ADD CONSTRAINT users_verification_token_hash_unique UNIQUE (verification_token_hash),
          -- What an email change is looked up by when its token is spent.
          ADD CONSTRAINT users_email_change_token_hash_unique UNIQUE (email_change_token_hash);
      `,
    },
  ];
}
