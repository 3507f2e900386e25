import type { Database, Statement } from 'better-sqlite3';
import type { User } from '../../../domain/entities/user.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { PasswordChange, ResetTokenConsumption, UserRepository } from '../../../domain/ports/user-repository.js';
import { USER_COLUMNS, type UserRow } from '../sql-rows.js';

// Named, never `*`: a column a later schema version adds must not change what a prepared statement returns
// (PostgreSQL refuses to run a cached plan whose result type changed).
const COLUMNS = USER_COLUMNS.join(', ');
import { rows } from './rows.js';
import { isUniqueViolation, sqliteOperation } from './store-errors.js';

/**
 * Users in SQLite. better-sqlite3 is synchronous and the process holds one connection, so each method is
 * one statement that runs to completion; the conditional ones (`WHERE` on the digest, `RETURNING`) stay
 * atomic against other processes on the same file as well.
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
  };

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
          reset_token_hash = NULL, reset_token_expires_at = NULL, spent_reset_token_hash = NULL, spent_reset_token_expires_at = NULL
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
          reset_token_hash = NULL, reset_token_expires_at = NULL, updated_at = @now
        WHERE email = @email AND reset_token_hash = @digest AND reset_token_expires_at > @now
        RETURNING ${COLUMNS}`),
    };
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
