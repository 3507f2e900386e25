import type { Pool } from 'pg';
import type { User } from '../../../domain/entities/user.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { PasswordChange, ResetTokenConsumption, UserRepository } from '../../../domain/ports/user-repository.js';
import { USER_COLUMNS, type UserRow } from '../sql-rows.js';

// Named, never `*`: a column a later schema version adds must not change what a prepared statement returns
// (PostgreSQL refuses to run a cached plan whose result type changed).
const COLUMNS = USER_COLUMNS.join(', ');
import { rows } from './rows.js';
import { run, type Statement } from './statements.js';
import { isUniqueViolation } from './store-errors.js';

/** Users in PostgreSQL: every method one statement, the conditional ones an `UPDATE … WHERE … RETURNING`. */
export class PostgresUserRepository implements UserRepository {
  private readonly statements: Record<
    | 'insert'
    | 'byId'
    | 'byEmail'
    | 'setResetToken'
    | 'clearResetToken'
    | 'consumeResetToken'
    | 'changePassword'
    | 'replacePasswordHash'
    | 'delete',
    Statement
  >;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    const users = `"${schema}".users`;
    this.statements = {
      insert: {
        name: 'users.insert',
        text: `INSERT INTO ${users} (${USER_COLUMNS.join(', ')}) VALUES (${USER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
      },
      byId: { name: 'users.by-id', text: `SELECT ${COLUMNS} FROM ${users} WHERE id = $1` },
      byEmail: { name: 'users.by-email', text: `SELECT ${COLUMNS} FROM ${users} WHERE email = $1` },
      setResetToken: {
        name: 'users.set-reset-token',
        text: `UPDATE ${users} SET reset_token_hash = $2, reset_token_expires_at = $3, updated_at = $4 WHERE email = $1 RETURNING ${COLUMNS}`,
      },
      // Conditional on the digest, in the same statement that removes it: a newer token is never cleared.
      clearResetToken: {
        name: 'users.clear-reset-token',
        text: `UPDATE ${users} SET reset_token_hash = NULL, reset_token_expires_at = NULL, updated_at = $3
               WHERE email = $1 AND reset_token_hash = $2`,
      },
      // Conditional on the version read before the current password was checked: a reset meanwhile wins.
      changePassword: {
        name: 'users.change-password',
        text: `UPDATE ${users} SET
                 password_hash = $3, password_version = password_version + 1, password_changed_at = $4, updated_at = $4,
                 reset_token_hash = NULL, reset_token_expires_at = NULL, spent_reset_token_hash = NULL, spent_reset_token_expires_at = NULL
               WHERE id = $1 AND password_version = $2
               RETURNING ${COLUMNS}`,
      },
      // Conditional on the hash read before the comparison: a reset that committed meanwhile is kept.
      // Conditional on the version read before the password was confirmed: a reset or change meanwhile wins.
      delete: { name: 'users.delete', text: `DELETE FROM ${users} WHERE id = $1 AND password_version = $2` },
      replacePasswordHash: {
        name: 'users.replace-password-hash',
        text: `UPDATE ${users} SET password_hash = $3, updated_at = $4 WHERE id = $1 AND password_hash = $2`,
      },
      // The match (email, digest, not expired), the new password and spending the token in one statement:
      // a second use waits for the first's row lock, then finds the digest gone and matches nothing.
      consumeResetToken: {
        name: 'users.consume-reset-token',
        text: `UPDATE ${users} SET
                 password_hash = $3, password_version = password_version + 1, password_changed_at = $4,
                 spent_reset_token_hash = $2, spent_reset_token_expires_at = $5,
                 reset_token_hash = NULL, reset_token_expires_at = NULL, updated_at = $4
               WHERE email = $1 AND reset_token_hash = $2 AND reset_token_expires_at > $4
               RETURNING ${COLUMNS}`,
      },
    };
  }

  async add(user: User): Promise<void> {
    try {
      await run(this.pool, this.statements.insert, rows.userValues(user));
    } catch (error) {
      // The unique constraint on email decides which of two registrations of one address wins.
      if (isUniqueViolation(error, 'users_email_unique')) throw new EmailAlreadyRegisteredError();
      throw error;
    }
  }

  async findById(id: string): Promise<User | null> {
    return this.one(this.statements.byId, [id]);
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.one(this.statements.byEmail, [email]);
  }

  async setResetToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    return this.one(this.statements.setResetToken, [email, tokenHash, expiresAt, now]);
  }

  async clearResetToken(email: string, tokenHash: string, now: Date): Promise<boolean> {
    const { rowCount } = await run(this.pool, this.statements.clearResetToken, [email, tokenHash, now]);
    return rowCount === 1;
  }

  async consumeResetToken({ email, tokenHash, newPasswordHash, now, repeatableUntil }: ResetTokenConsumption): Promise<User | null> {
    return this.one(this.statements.consumeResetToken, [email, tokenHash, newPasswordHash, now, repeatableUntil]);
  }

  async changePassword({ id, expectedPasswordVersion, newPasswordHash, now }: PasswordChange): Promise<User | null> {
    return this.one(this.statements.changePassword, [id, expectedPasswordVersion, newPasswordHash, now]);
  }

  async replacePasswordHash(id: string, expectedHash: string, newHash: string, now: Date): Promise<boolean> {
    const { rowCount } = await run(this.pool, this.statements.replacePasswordHash, [id, expectedHash, newHash, now]);
    return rowCount === 1;
  }

  async delete(id: string, expectedPasswordVersion: number): Promise<boolean> {
    const { rowCount } = await run(this.pool, this.statements.delete, [id, expectedPasswordVersion]);
    return rowCount === 1;
  }

  private async one(statement: Statement, values: unknown[]): Promise<User | null> {
    const { rows: found } = await run<UserRow<Date>>(this.pool, statement, values);
    const row = found[0];
    return row === undefined ? null : rows.toUser(row);
  }
}
