import { expect } from 'chai';
import { expectSessionsFromBeforeVersion3 } from '../store-contract.js';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQLITE_MIGRATIONS } from '../../../../src/adapters/stores/sqlite/schema.js';
import { backupSqliteDatabase, SqliteStore, type SqliteStoreOptions } from '../../../../src/adapters/stores/sqlite/sqlite-store.js';
import { StoreUnreachableError } from '../../../../src/adapters/stores/store.js';
import { EmailAlreadyRegisteredError, StoreUnavailableError } from '../../../../src/domain/errors.js';
import { runToExit } from '../../../support/child-process.js';
import { userRecord, sessionRecord } from '../../../support/records.js';
import { rejection } from '../../../support/rejection.js';
import { describeRepositoryContract } from '../store-contract.js';

// An hour ago: what the sweep is told is now, so that rate-limit counters (on the real clock) are still live then.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
const user = (id: string, email: string) => userRecord(id, email, NOW);
const session = (id: string, expiresAt: Date) => sessionRecord(id, 'u1', NOW, expiresAt);

describe('SQLite repositories', () => {
  let folder: string;
  const opened: SqliteStore[] = [];
  let files = 0;
  const freshPath = () => join(folder, `db-${(files += 1)}.sqlite3`);

  const openStore = (path = freshPath(), options: Partial<SqliteStoreOptions> = {}) => {
    const store = SqliteStore.open({ path, synchronous: 'full', busyTimeoutMs: 1000, sweepIntervalMs: 60_000, ...options });
    opened.push(store);
    return store;
  };

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'auth-sqlite-'));
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  describeRepositoryContract('sqlite', async () => openStore());

  describe('the file', () => {
    it('is created with its folder on first start, in WAL mode, with the durability level asked for', async () => {
      const path = join(folder, 'nested', 'deeper', 'auth.sqlite3');
      await openStore(path).close();
      expect(existsSync(path)).to.equal(true);
      for (const synchronous of ['full', 'normal'] as const) {
        await openStore(path, { synchronous }).users.add(user(`u-${synchronous}`, `${synchronous}@example.com`));
        const db = new Database(path, { readonly: true });
        try {
          expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
        } finally {
          db.close();
        }
      }
    });

    it('creates the file, its -wal and -shm and its folder for their owner only: they hold password hashes', async () => {
      const path = join(folder, 'private', 'auth.sqlite3');
      const store = openStore(path);
      await store.users.add(user('u1', 'private@example.com'));
      const mode = (file: string) => statSync(file).mode & 0o777;
      expect(mode(path).toString(8)).to.equal('600');
      expect(mode(`${path}-wal`).toString(8)).to.equal('600');
      expect(mode(`${path}-shm`).toString(8)).to.equal('600');
      expect(mode(join(folder, 'private')).toString(8)).to.equal('700');
      const copy = join(folder, 'private-copy.sqlite3');
      await backupSqliteDatabase(path, copy);
      expect(mode(copy).toString(8), 'and a backup').to.equal('600');
    });

    it('keeps what was written across a close and a reopen', async () => {
      const path = freshPath();
      const first = openStore(path);
      await first.users.add(user('u1', 'kept@example.com'));
      await first.sessions.add(session('digest', new Date(NOW.getTime() + 60_000)), 10);
      await first.close();
      const second = openStore(path);
      expect((await second.users.findByEmail('kept@example.com'))?.id).to.equal('u1');
      expect((await second.sessions.findById('digest'))?.userId).to.equal('u1');
    });

    it('refuses to start, naming the file, on a file that is not a database or cannot be created', () => {
      const garbage = join(folder, 'garbage.sqlite3');
      writeFileSync(garbage, 'not a database, just text that is long enough to have a header of sorts.'.repeat(20));
      const notADatabase = (() => {
        try {
          openStore(garbage);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(notADatabase).to.be.instanceOf(StoreUnreachableError);
      expect((notADatabase as Error).message).to.contain(garbage);
      writeFileSync(join(folder, 'a-file'), '');
      expect(() => openStore(join(folder, 'a-file', 'auth.sqlite3'))).to.throw(StoreUnreachableError, /a-file/);
    });

    it('answers 503 (StoreUnavailableError), not a crash, while another connection holds the write lock', async () => {
      const path = freshPath();
      const store = openStore(path, { busyTimeoutMs: 50 });
      const other = new Database(path);
      try {
        other.exec('BEGIN IMMEDIATE');
        expect(await rejection(store.users.add(user('u1', 'busy@example.com')))).to.be.instanceOf(StoreUnavailableError);
        expect(await rejection(store.sessions.add(session('s1', NOW), 10))).to.be.instanceOf(StoreUnavailableError);
        expect(await store.users.findByEmail('busy@example.com'), 'readers do not wait for the writer (WAL)').to.equal(null);
        other.exec('ROLLBACK');
        await store.users.add(user('u1', 'busy@example.com'));
      } finally {
        other.close();
      }
    });

    it('answers StoreUnavailableError, not a bug, for a call that comes after the store was closed (a shutdown)', async () => {
      const store = openStore();
      await store.close();
      expect(await rejection(store.users.findById('u1'))).to.be.instanceOf(StoreUnavailableError);
      expect(await rejection(store.sessions.findById('s1'))).to.be.instanceOf(StoreUnavailableError);
      expect(await rejection(store.ping())).to.be.instanceOf(StoreUnavailableError);
      expect(await store.close(), 'closing twice').to.equal(true);
    });

    it('maps only the email index to EmailAlreadyRegisteredError: a clashing id is a bug, not a taken email', async () => {
      const store = openStore();
      await store.users.add(user('u1', 'first@example.com'));
      expect(await rejection(store.users.add(user('u2', 'first@example.com')))).to.be.instanceOf(EmailAlreadyRegisteredError);
      const clash = await rejection(store.users.add(user('u1', 'second@example.com')));
      expect(clash).not.to.be.instanceOf(EmailAlreadyRegisteredError);
      expect(clash).not.to.be.instanceOf(StoreUnavailableError);
    });
  });

  describe('schema migrations', () => {
    const versions = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      } finally {
        db.close();
      }
    };

    it('records every version once, and opening again applies nothing', async () => {
      const path = freshPath();
      await openStore(path).close();
      await openStore(path).close();
      expect(versions(path)).to.deep.equal(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    });

    it('brings a database left at version 1 up to date, keeping its users and sessions', async () => {
      const path = freshPath();
      const old = new Database(path);
      old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT');
      old.exec(SQLITE_MIGRATIONS[0]?.sql ?? '');
      old.prepare('INSERT INTO schema_migrations VALUES (1, ?, ?)').run(SQLITE_MIGRATIONS[0]?.name, NOW.getTime());
      old
        .prepare(
          `INSERT INTO users (id, email, password_hash, password_version, password_changed_at, created_at, updated_at)
           VALUES ('old', 'old@example.com', 'hash', 3, ?, ?, ?)`,
        )
        .run(NOW.getTime(), NOW.getTime(), NOW.getTime());
      const insertSession = old.prepare(
        `INSERT INTO sessions (id, user_id, password_version, created_at, expires_at) VALUES (?, 'old', 3, ?, ?)`,
      );
      for (const id of ['digest-1', 'digest-2']) insertSession.run(id, NOW.getTime(), NOW.getTime() + 60_000);
      old.close();

      const store = openStore(path);
      expect(await store.users.findByEmail('old@example.com')).to.deep.include({ id: 'old', passwordVersion: 3, resetTokenHash: null });
      await expectSessionsFromBeforeVersion3(store.sessions, 'old', NOW);
      expect(versions(path)).to.have.length(SQLITE_MIGRATIONS.length);
      // Version 2's tables work: the rate-limit counters and the sweep's index.
      const limiter = store.rateLimiter({ name: 'after-migration', attempts: 1, windowSeconds: 60 });
      expect((await limiter.hit('k')).allowed).to.equal(true);
      expect((await limiter.hit('k')).allowed).to.equal(false);
    });

    it('brings a database left at version 3 up to date (version 4): its users unverified, and the new methods working on them', async () => {
      const path = freshPath();
      const old = new Database(path);
      old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT');
      for (const migration of SQLITE_MIGRATIONS.slice(0, 3)) {
        old.exec(migration.sql);
        old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(migration.version, migration.name, NOW.getTime());
      }
      const insertUser = old.prepare(
        `INSERT INTO users (id, email, password_hash, password_version, reset_token_hash, reset_token_expires_at,
           password_changed_at, created_at, updated_at)
         VALUES (?, ?, 'hash', 2, ?, ?, ?, ?, ?)`,
      );
      const later = NOW.getTime() + 60_000;
      insertUser.run('old', 'old@example.com', 'reset-digest', later, NOW.getTime(), NOW.getTime(), NOW.getTime());
      insertUser.run('other', 'other@example.com', null, null, NOW.getTime(), NOW.getTime(), NOW.getTime());
      old.close();

      const store = openStore(path);
      expect(versions(path)).to.deep.equal(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
      expect(SQLITE_MIGRATIONS).to.have.length(4);
      const migrated = userRecord('old', 'old@example.com', NOW, {
        passwordVersion: 2,
        resetTokenHash: 'reset-digest',
        resetTokenExpiresAt: new Date(later),
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

      const db = new Database(path, { readonly: true });
      try {
        const indexes = db
          .prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users'")
          .all();
        const byName = Object.fromEntries(indexes.map(({ name, sql }) => [name, sql]));
        expect(byName.users_verification_token_hash_unique).to.match(/UNIQUE INDEX[\s\S]*WHERE verification_token_hash IS NOT NULL/);
        expect(byName.users_email_change_token_hash_unique).to.match(/UNIQUE INDEX[\s\S]*WHERE email_change_token_hash IS NOT NULL/);
      } finally {
        db.close();
      }
    });

    it('keeps serving while another process adds a column (a newer version), answering the same records', async () => {
      const path = freshPath();
      const store = openStore(path);
      await store.users.add(user('u1', 'rolling@example.com'));
      expect(await store.users.findById('u1')).to.deep.equal(user('u1', 'rolling@example.com'));
      const other = new Database(path);
      other.exec('ALTER TABLE users ADD COLUMN added_later TEXT');
      other.close();
      expect(await store.users.findById('u1')).to.deep.equal(user('u1', 'rolling@example.com'));
      expect(await store.users.setResetToken('rolling@example.com', 'digest', NOW, NOW)).to.include({ id: 'u1', resetTokenHash: 'digest' });
    });

    it('refuses a database newer than this code, changing nothing', async () => {
      const path = freshPath();
      await openStore(path).close();
      const db = new Database(path);
      db.prepare("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)").run();
      db.close();
      expect(() => openStore(path)).to.throw(StoreUnreachableError, /schema version 99, newer than this service's/);
      expect(versions(path)).to.have.length(SQLITE_MIGRATIONS.length + 1);
    });

    it('lets four processes open one new file at the same moment: the write lock serialises the migrations', async () => {
      const path = freshPath();
      const starts = Array.from({ length: 4 }, () =>
        runToExit(process.execPath, ['--import', 'tsx', 'test/fixtures/open-sqlite-store.ts', path], { name: 'store' }),
      );
      for (const { code, output } of await Promise.all(starts)) expect(code, output).to.equal(0);
      expect(versions(path)).to.deep.equal(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    });
  });

  describe('expiry sweep', () => {
    it('deletes expired sessions and rate-limit counters only, in bounded batches', async () => {
      const store = openStore();
      const live = session('live', new Date(NOW.getTime() + 36_000_000));
      await store.sessions.add(live, 10_000);
      const edge = session('edge', new Date(NOW.getTime() + 1));
      await store.sessions.add(edge, 10_000);
      for (let i = 0; i < 2500; i += 1) await store.sessions.add(session(`expired-${i}`, NOW), 10_000);
      const limiter = store.rateLimiter({ name: 'sweep', attempts: 5, windowSeconds: 1 });
      await limiter.hit('k');
      expect(await store.sweep(NOW.getTime())).to.equal(2500);
      expect(await store.sessions.findById('expired-0')).to.equal(null);
      expect(await store.sessions.findById('live')).to.deep.equal(live);
      expect(await store.sessions.findById('edge'), 'live for one more millisecond').to.deep.equal(edge);
      await store.sessions.delete('edge');
      expect(await store.sweep(Date.now() + 2000), 'the counter, once its window is over').to.equal(1);
      expect(await store.sweep(Date.now() + 2000)).to.equal(0);
    });
  });
});
