import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { User } from '../../../domain/entities/user.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type {
  EmailChanged,
  EmailChangeRequest,
  PasswordChange,
  ResetTokenConsumption,
  TokenUse,
  UserRepository,
} from '../../../domain/ports/user-repository.js';
import { USER_COLUMNS, type UserRow } from '../sql-rows.js';

// Named, never `*`: a column a later schema version adds must not change what a prepared statement returns
// (PostgreSQL refuses to run a cached plan whose result type changed).
const COLUMNS = USER_COLUMNS.join(', ');
import { rows } from './rows.js';
import { isUniqueViolation, sqliteOperation } from './store-errors.js';

/** What clears a pending email change: a change asked for with a password now replaced must not complete. */
const NO_EMAIL_CHANGE =
  'pending_email = NULL, email_change_token_hash = NULL, email_change_token_expires_at = NULL, email_change_session_id = NULL';

/**
 * Users in SQLite. better-sqlite3 is synchronous and the process holds one connection, so each method is
 * one statement that runs to completion; the conditional ones (`WHERE` on the digest, `RETURNING`) stay
 * atomic against other processes on the same file as well. The one exception, consumeEmailChange, is one
 * IMMEDIATE transaction (see there).
 */
export class SqliteUserRepository implements UserRepository {
  private readonly statements: {
    insert: Statement<unknown[]>;
    byId: Statement<[string], UserRow<number>>;
    byEmail: Statement<[string], UserRow<number>>;
    setResetToken: Statement<[number, number, string, string], UserRow<number>>;
    clearResetToken: Statement<[number, string, string]>;
    replacePasswordHash: Statement<[string, number, string, string]>;
    delete: Statement<[string, number]>;
    changePassword: Statement<[{ hash: string; now: number; id: string; version: number }], UserRow<number>>;
    consumeResetToken: Statement<[{ hash: string; now: number; repeatableUntil: number; email: string; digest: string }], UserRow<number>>;
    setVerificationToken: Statement<[{ digest: string; expiresAt: number; now: number; email: string }], UserRow<number>>;
    consumeVerificationToken: Statement<[{ digest: string; now: number; email: string }], UserRow<number>>;
    requestEmailChange: Statement<
      [{ id: string; version: number; email: string; digest: string; expiresAt: number; sessionId: string; now: number }],
      UserRow<number>
    >;
  };
  private readonly consumeEmailChangeTransaction: Transaction<(use: TokenUse) => EmailChanged | null>;

  constructor(db: Database) {
    this.statements = {
      insert: db.prepare(`INSERT INTO users (${USER_COLUMNS.join(', ')}) VALUES (${USER_COLUMNS.map(() => '?').join(', ')})`),
      byId: db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`),
      byEmail: db.prepare(`SELECT ${COLUMNS} FROM users WHERE email = ?`),
      setResetToken: db.prepare(
        `UPDATE users SET reset_token_expires_at = ?, updated_at = ?, reset_token_hash = ? WHERE email = ? RETURNING ${COLUMNS}`,
      ),
      clearResetToken: db.prepare(
        'UPDATE users SET reset_token_hash = NULL, reset_token_expires_at = NULL, updated_at = ? WHERE email = ? AND reset_token_hash = ?',
      ),
      // Conditional on the version read before the current password was checked: a reset meanwhile wins.
      changePassword: db.prepare(`
        UPDATE users SET
          password_hash = @hash, password_version = password_version + 1, password_changed_at = @now, updated_at = @now,
          reset_token_hash = NULL, reset_token_expires_at = NULL, spent_reset_token_hash = NULL, spent_reset_token_expires_at = NULL,
          ${NO_EMAIL_CHANGE}
        WHERE id = @id AND password_version = @version
        RETURNING ${COLUMNS}`),
      // Conditional on the hash read before the comparison: a reset that committed meanwhile is kept.
      replacePasswordHash: db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?'),
      // Conditional on the version read before the password was confirmed: a reset or change meanwhile wins.
      delete: db.prepare('DELETE FROM users WHERE id = ? AND password_version = ?'),
      // The match (email, digest, not expired), the new password and spending the token, in one statement.
      consumeResetToken: db.prepare(`
        UPDATE users SET
          password_hash = @hash, password_version = password_version + 1, password_changed_at = @now,
          spent_reset_token_hash = @digest, spent_reset_token_expires_at = @repeatableUntil,
          reset_token_hash = NULL, reset_token_expires_at = NULL, ${NO_EMAIL_CHANGE}, updated_at = @now
        WHERE email = @email AND reset_token_hash = @digest AND reset_token_expires_at > @now
        RETURNING ${COLUMNS}`),
      setVerificationToken: db.prepare(`
        UPDATE users SET verification_token_hash = @digest, verification_token_expires_at = @expiresAt, updated_at = @now
        WHERE email = @email
        RETURNING ${COLUMNS}`),
      // The match (email, digest, not expired) and spending the token, in one statement; an earlier proof is kept.
      consumeVerificationToken: db.prepare(`
        UPDATE users SET
          email_verified_at = coalesce(email_verified_at, @now), verification_token_hash = NULL, verification_token_expires_at = NULL,
          updated_at = @now
        WHERE email = @email AND verification_token_hash = @digest AND verification_token_expires_at > @now
        RETURNING ${COLUMNS}`),
      // Conditional on the version read before the password was checked: a reset or change meanwhile wins.
      requestEmailChange: db.prepare(`
        UPDATE users SET
          pending_email = @email, email_change_token_hash = @digest, email_change_token_expires_at = @expiresAt,
          email_change_session_id = @sessionId, updated_at = @now
        WHERE id = @id AND password_version = @version
        RETURNING ${COLUMNS}`),
    };
    // The change must answer the address it replaces, which an UPDATE … RETURNING in SQLite cannot (it
    // returns the new row only): the read and the write run in one IMMEDIATE transaction instead, under the
    // file's write lock, so no other writer (of this process or another) comes in between.
    const pendingChange = db.prepare<
      [{ digest: string; email: string; now: number }],
      { id: string; email: string; session_id: string | null }
    >(`
      SELECT id, email, email_change_session_id AS session_id FROM users
      WHERE email_change_token_hash = @digest AND pending_email = @email AND email_change_token_expires_at > @now`);
    const completeChange = db.prepare<[{ id: string; email: string; now: number }], UserRow<number>>(`
      UPDATE users SET
        email = @email, email_verified_at = @now, verification_token_hash = NULL, verification_token_expires_at = NULL,
        reset_token_hash = NULL, reset_token_expires_at = NULL, spent_reset_token_hash = NULL, spent_reset_token_expires_at = NULL,
        ${NO_EMAIL_CHANGE}, updated_at = @now
      WHERE id = @id
      RETURNING ${COLUMNS}`);
    this.consumeEmailChangeTransaction = db.transaction(({ email, tokenHash, now }: TokenUse): EmailChanged | null => {
      const pending = pendingChange.get({ digest: tokenHash, email, now: now.getTime() });
      if (pending === undefined) return null;
      let row: UserRow<number> | undefined;
      try {
        row = completeChange.get({ id: pending.id, email, now: now.getTime() });
      } catch (error) {
        // Another user has the address (registered, or changed to it, meanwhile): the transaction rolls back.
        if (isUniqueViolation(error, 'users.email')) throw new EmailAlreadyRegisteredError();
        throw error;
      }
      if (row === undefined) return null;
      return { user: rows.toUser(row), previousEmail: pending.email, requestingSessionId: pending.session_id };
    });
  }

  async add(user: User): Promise<void> {
    sqliteOperation(() => {
      try {
        this.statements.insert.run(...rows.userValues(user));
      } catch (error) {
        // The unique index on email decides which of two registrations of one address wins.
        if (isUniqueViolation(error, 'users.email')) throw new EmailAlreadyRegisteredError();
        throw error;
      }
    });
  }

  async findById(id: string): Promise<User | null> {
    return this.user(sqliteOperation(() => this.statements.byId.get(id)));
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.user(sqliteOperation(() => this.statements.byEmail.get(email)));
  }

  async setResetToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    return this.user(sqliteOperation(() => this.statements.setResetToken.get(expiresAt.getTime(), now.getTime(), tokenHash, email)));
  }

  async clearResetToken(email: string, tokenHash: string, now: Date): Promise<boolean> {
    return sqliteOperation(() => this.statements.clearResetToken.run(now.getTime(), email, tokenHash)).changes === 1;
  }

  async consumeResetToken({ email, tokenHash, newPasswordHash, now, repeatableUntil }: ResetTokenConsumption): Promise<User | null> {
    return this.user(
      sqliteOperation(() =>
        this.statements.consumeResetToken.get({
          hash: newPasswordHash,
          now: now.getTime(),
          repeatableUntil: repeatableUntil.getTime(),
          email,
          digest: tokenHash,
        }),
      ),
    );
  }

  async changePassword({ id, expectedPasswordVersion, newPasswordHash, now }: PasswordChange): Promise<User | null> {
    return this.user(
      sqliteOperation(() =>
        this.statements.changePassword.get({ hash: newPasswordHash, now: now.getTime(), id, version: expectedPasswordVersion }),
      ),
    );
  }

  async setVerificationToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    return this.user(
      sqliteOperation(() =>
        this.statements.setVerificationToken.get({ digest: tokenHash, expiresAt: expiresAt.getTime(), now: now.getTime(), email }),
      ),
    );
  }

  async consumeVerificationToken({ email, tokenHash, now }: TokenUse): Promise<User | null> {
    return this.user(sqliteOperation(() => this.statements.consumeVerificationToken.get({ digest: tokenHash, now: now.getTime(), email })));
  }

  async requestEmailChange(request: EmailChangeRequest): Promise<User | null> {
    return this.user(
      sqliteOperation(() =>
        this.statements.requestEmailChange.get({
          id: request.id,
          version: request.expectedPasswordVersion,
          email: request.newEmail,
          digest: request.tokenHash,
          expiresAt: request.expiresAt.getTime(),
          sessionId: request.sessionId,
          now: request.now.getTime(),
        }),
      ),
    );
  }

  async consumeEmailChange(use: TokenUse): Promise<EmailChanged | null> {
    return sqliteOperation(() => this.consumeEmailChangeTransaction.immediate(use));
  }

  async replacePasswordHash(id: string, expectedHash: string, newHash: string, now: Date): Promise<boolean> {
    return sqliteOperation(() => this.statements.replacePasswordHash.run(newHash, now.getTime(), id, expectedHash)).changes === 1;
  }

  async delete(id: string, expectedPasswordVersion: number): Promise<boolean> {
    return sqliteOperation(() => this.statements.delete.run(id, expectedPasswordVersion)).changes === 1;
  }

  private user(row: UserRow<number> | undefined): User | null {
    return row === undefined ? null : rows.toUser(row);
  }
}
