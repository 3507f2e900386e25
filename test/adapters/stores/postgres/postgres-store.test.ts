import { expect } from 'chai';
import { expectSessionsFromBeforeVersion3 } from '../store-contract.js';
import pg from 'pg';
import { describePostgres, PostgresStore } from '../../../../src/adapters/stores/postgres/postgres-store.js';
import { postgresMigrations } from '../../../../src/adapters/stores/postgres/schema.js';
import { StoreUnreachableError } from '../../../../src/adapters/stores/store.js';
import { EmailAlreadyRegisteredError, StoreUnavailableError } from '../../../../src/domain/errors.js';
import { userRecord, sessionRecord } from '../../../support/records.js';
import { rejection } from '../../../support/rejection.js';
import { describeWithPostgres, uniqueSchemaName, type TestPostgres } from '../../../support/test-postgres.js';
import { describeRepositoryContract } from '../store-contract.js';

// An hour ago: what the sweep is told is now, so that rate-limit counters (on the real clock) are still live then.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
const user = (id: string, email: string) => userRecord(id, email, NOW);
const session = (id: string, expiresAt: Date) => sessionRecord(id, 'u1', NOW, expiresAt);

function openPostgresStore(postgres: TestPostgres, schema = uniqueSchemaName('store')): Promise<PostgresStore> {
  return PostgresStore.open({ url: postgres.url, schema, poolSize: 10, timeoutMs: 2000, startupTimeoutMs: 5000, sweepIntervalMs: 60_000 });
}

describeWithPostgres('PostgreSQL repositories', (postgres) => {
  const opened: PostgresStore[] = [];
  let client: pg.Client;

  const open = async (schema?: string) => {
    const store = await openPostgresStore(postgres(), schema);
    opened.push(store);
    return store;
  };
  const versions = async (schema: string) =>
    (await client.query(`SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`)).rows as unknown[];

  before(async () => {
    client = new pg.Client({ connectionString: postgres().url });
    await client.connect();
  });

  after(async () => {
    await client.end();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describeRepositoryContract('postgres', () => open());

  it('maps only the email constraint to EmailAlreadyRegisteredError: a clashing id is a bug, not a taken email', async () => {
    const store = await open();
    await store.users.add(user('u1', 'first@example.com'));
    expect(await rejection(store.users.add(user('u2', 'first@example.com')))).to.be.instanceOf(EmailAlreadyRegisteredError);
    const clash = await rejection(store.users.add(user('u1', 'second@example.com')));
    expect(clash).not.to.be.instanceOf(EmailAlreadyRegisteredError);
    expect(clash).not.to.be.instanceOf(StoreUnavailableError);
  });

  it('names host, port and database of a URL, never its credentials or query', () => {
    expect(describePostgres('postgres://auth:s3cr3t@db1.example.com:5433/accounts?password=x')).to.equal('db1.example.com:5433/accounts');
    expect(describePostgres('not a url')).to.equal('(unparseable URL)');
  });

  describe('schema migrations', () => {
    const latest = postgresMigrations('x').map(({ version, name }) => ({ version, name }));

    it('creates the schema, records every version once, and opening again applies nothing', async () => {
      const schema = uniqueSchemaName('migrations');
      await open(schema);
      await open(schema);
      expect(await versions(schema)).to.deep.equal(latest);
    });

    it('brings a schema left at version 1 up to date, keeping its users and sessions', async () => {
      const schema = uniqueSchemaName('version_1');
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(
        `CREATE TABLE "${schema}".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const [first] = postgresMigrations(schema);
      await client.query(first?.sql ?? '');
      await client.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (1, $1)`, [first?.name]);
      await client.query(
        `INSERT INTO "${schema}".users (id, email, password_hash, password_version, password_changed_at, created_at, updated_at)
         VALUES ('old', 'old@example.com', 'hash', 3, $1, $1, $1)`,
        [NOW],
      );
      await client.query(
        `INSERT INTO "${schema}".sessions (id, user_id, password_version, created_at, expires_at)
         VALUES ('digest-1', 'old', 3, $1, $2), ('digest-2', 'old', 3, $1, $2)`,
        [NOW, new Date(NOW.getTime() + 60_000)],
      );

      const store = await open(schema);
      expect(await store.users.findByEmail('old@example.com')).to.deep.include({ id: 'old', passwordVersion: 3, resetTokenHash: null });
      await expectSessionsFromBeforeVersion3(store.sessions, 'old', NOW);
      expect(await versions(schema)).to.deep.equal(latest);
      const limiter = store.rateLimiter({ name: 'after-migration', attempts: 1, windowSeconds: 60 });
      expect((await limiter.hit('k')).allowed).to.equal(true);
      expect((await limiter.hit('k')).allowed).to.equal(false);
    });

    it('brings a schema left at version 3 up to date (version 4): its users unverified, and the new methods working on them', async () => {
      const schema = uniqueSchemaName('version_3');
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(
        `CREATE TABLE "${schema}".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      for (const migration of postgresMigrations(schema).slice(0, 3)) {
        await client.query(migration.sql);
        await client.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
      }
      const later = new Date(NOW.getTime() + 60_000);
      await client.query(
        `INSERT INTO "${schema}".users (id, email, password_hash, password_version, reset_token_hash, reset_token_expires_at,
           password_changed_at, created_at, updated_at)
         VALUES ('old', 'old@example.com', 'hash', 2, 'reset-digest', $2, $1, $1, $1),
                ('other', 'other@example.com', 'hash', 2, NULL, NULL, $1, $1, $1)`,
        [NOW, later],
      );

      const store = await open(schema);
      expect(await versions(schema)).to.deep.equal(latest);
      expect(latest).to.have.length(4);
      const migrated = userRecord('old', 'old@example.com', NOW, {
        passwordVersion: 2,
        resetTokenHash: 'reset-digest',
        resetTokenExpiresAt: later,
      });
      expect(await store.users.findByEmail('old@example.com')).to.deep.equal(migrated);
      const at = (ms: number) => new Date(NOW.getTime() + ms);
      await store.users.setVerificationToken('old@example.com', 'verify', at(1000), at(1));
      expect(await store.users.consumeVerificationToken({ email: 'old@example.com', tokenHash: 'verify', now: at(2) })).to.deep.equal({
        ...migrated,
        emailVerifiedAt: at(2),
        updatedAt: at(2),
      });
      const request = { expectedPasswordVersion: 2, tokenHash: 'change', expiresAt: at(1000), sessionId: 's', now: at(3) };
      expect(await store.users.requestEmailChange({ ...request, id: 'other', newEmail: 'new@example.com' })).to.include({
        pendingEmail: 'new@example.com',
      });
      expect(await store.users.consumeEmailChange({ email: 'new@example.com', tokenHash: 'change', now: at(4) })).to.deep.include({
        previousEmail: 'other@example.com',
        requestingSessionId: 's',
      });
      expect(await store.users.findByEmail('new@example.com')).to.include({ id: 'other' });

      const { rows: columns } = await client.query<{ column_name: string; data_type: string; is_nullable: string }>(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = 'users' AND ordinal_position > 11 ORDER BY ordinal_position`,
        [schema],
      );
      expect(columns).to.deep.equal(
        [
          ['email_verified_at', 'timestamp with time zone'],
          ['verification_token_hash', 'text'],
          ['verification_token_expires_at', 'timestamp with time zone'],
          ['pending_email', 'text'],
          ['email_change_token_hash', 'text'],
          ['email_change_token_expires_at', 'timestamp with time zone'],
          ['email_change_session_id', 'text'],
        ].map(([column_name, data_type]) => ({ column_name, data_type, is_nullable: 'YES' })),
      );
      const { rows: unique } = await client.query<{ conname: string }>(
        `SELECT conname FROM pg_constraint WHERE contype = 'u' AND conrelid = $1::regclass ORDER BY conname`,
        [`"${schema}".users`],
      );
      expect(unique.map(({ conname }) => conname)).to.deep.equal([
        'users_email_change_token_hash_unique',
        'users_email_unique',
        'users_reset_token_hash_unique',
        'users_verification_token_hash_unique',
      ]);
    });

    it('keeps serving while a newer instance adds a column (a rolling upgrade): no statement depends on the table’s shape', async () => {
      const schema = uniqueSchemaName('rolling');
      // One connection, so that the statements prepared before the change are the ones run after it.
      const store = await PostgresStore.open({
        url: postgres().url,
        schema,
        poolSize: 1,
        timeoutMs: 2000,
        startupTimeoutMs: 5000,
        sweepIntervalMs: 60_000,
      });
      opened.push(store);
      await store.users.add(user('u1', 'rolling@example.com'));
      await store.sessions.add(session('s1', new Date(NOW.getTime() + 36_000_000)), 10);
      // Prepared on the connection by these calls, before the change.
      await store.users.findById('u1');
      await store.users.setResetToken('rolling@example.com', 'digest', NOW, NOW);
      await store.sessions.findById('s1');
      await client.query(`ALTER TABLE "${schema}".users ADD COLUMN added_later text`);
      await client.query(`ALTER TABLE "${schema}".sessions ADD COLUMN added_later text`);
      for (let i = 0; i < 3; i += 1) {
        expect(await store.users.findById('u1')).to.include({ id: 'u1', email: 'rolling@example.com', passwordHash: 'hash' });
        expect((await store.sessions.findById('s1'))?.userId).to.equal('u1');
        expect(await store.users.setResetToken('rolling@example.com', `digest-${i}`, NOW, NOW)).to.include({ id: 'u1' });
      }
    });

    it('refuses a schema newer than this code', async () => {
      const schema = uniqueSchemaName('future');
      await open(schema);
      await client.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (99, 'from the future')`);
      const error = await rejection(open(schema));
      expect(error).to.be.instanceOf(StoreUnreachableError);
      expect(error.message).to.match(/schema version 99, newer than this service's/);
    });

    it('lets eight instances open one new schema at the same moment: the advisory lock serialises the migrations', async () => {
      const schema = uniqueSchemaName('together');
      await Promise.all(Array.from({ length: 8 }, () => open(schema)));
      expect(await versions(schema)).to.deep.equal(latest);
    });
  });

  describe('expiry sweep', () => {
    it('deletes expired sessions and rate-limit counters only, in bounded batches', async () => {
      const schema = uniqueSchemaName('sweep');
      const store = await open(schema);
      const live = session('live', new Date(NOW.getTime() + 36_000_000));
      const edge = session('edge', new Date(NOW.getTime() + 1));
      await store.sessions.add(live, 10_000);
      await store.sessions.add(edge, 10_000);
      await client.query(
        `INSERT INTO "${schema}".sessions (id, handle, user_id, password_version, created_at, expires_at, last_seen_at)
         SELECT 'expired-' || n, 'handle-' || n, 'u1', 0, $1, $1, $1 FROM generate_series(1, 2500) AS n`,
        [NOW],
      );
      await store.rateLimiter({ name: 'sweep', attempts: 5, windowSeconds: 1 }).hit('k');
      expect(await store.sweep(NOW)).to.equal(2500);
      expect(await store.sessions.findById('live')).to.deep.equal(live);
      expect(await store.sessions.findById('edge'), 'live for one more millisecond').to.deep.equal(edge);
      await store.sessions.delete('edge');
      expect(await store.sweep(new Date(Date.now() + 2000)), 'the counter, once its window is over').to.equal(1);
      expect(await store.sweep(new Date(Date.now() + 2000))).to.equal(0);
    });
  });
});
