import type { Pool } from 'pg';
import type { User } from '../../../domain/entities/user.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { ResetTokenConsumption, UserRepository } from '../../../domain/ports/user-repository.js';
import { USER_COLUMNS, type UserRow } from '../sql-rows.js';
import { rows } from './rows.js';
import { isUniqueViolation, postgresOperation } from './store-errors.js';

/** Users in PostgreSQL: every method one statement, the conditional ones an `UPDATE … WHERE … RETURNING`. */
export class PostgresUserRepository implements UserRepository {
  private readonly users: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.users = `"${schema}".users`;
  }

  async add(user: User): Promise<void> {
    const placeholders = USER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    await postgresOperation(async () => {
      try {
        await this.pool.query(`INSERT INTO ${this.users} (${USER_COLUMNS.join(', ')}) VALUES (${placeholders})`, rows.userValues(user));
      } catch (error) {
        // The unique constraint on email decides which of two registrations of one address wins.
        if (isUniqueViolation(error, 'users_email_unique')) throw new EmailAlreadyRegisteredError();
        throw error;
      }
    });
  }

  async findById(id: string): Promise<User | null> {
    return this.one(`SELECT * FROM ${this.users} WHERE id = $1`, [id]);
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.one(`SELECT * FROM ${this.users} WHERE email = $1`, [email]);
  }

  async setResetToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    return this.one(
      `UPDATE ${this.users} SET reset_token_hash = $2, reset_token_expires_at = $3, updated_at = $4 WHERE email = $1 RETURNING *`,
      [email, tokenHash, expiresAt, now],
    );
  }

  async clearResetToken(email: string, tokenHash: string, now: Date): Promise<boolean> {
    // Conditional on the digest, in the same statement that removes it: a newer token is never cleared.
    const { rowCount } = await postgresOperation(() =>
      this.pool.query(
        `UPDATE ${this.users} SET reset_token_hash = NULL, reset_token_expires_at = NULL, updated_at = $3
         WHERE email = $1 AND reset_token_hash = $2`,
        [email, tokenHash, now],
      ),
    );
    return rowCount === 1;
  }

  async consumeResetToken({ email, tokenHash, newPasswordHash, now, repeatableUntil }: ResetTokenConsumption): Promise<User | null> {
    // The match (email, digest, not expired), the new password and spending the token in one statement:
    // a second use waits for the first's row lock, then finds the digest gone and matches nothing.
    return this.one(
      `UPDATE ${this.users} SET
         password_hash = $3, password_version = password_version + 1, password_changed_at = $4,
         spent_reset_token_hash = $2, spent_reset_token_expires_at = $5,
         reset_token_hash = NULL, reset_token_expires_at = NULL, updated_at = $4
       WHERE email = $1 AND reset_token_hash = $2 AND reset_token_expires_at > $4
       RETURNING *`,
      [email, tokenHash, newPasswordHash, now, repeatableUntil],
    );
  }

  private async one(text: string, values: unknown[]): Promise<User | null> {
    const { rows: found } = await postgresOperation(() => this.pool.query<UserRow<Date>>(text, values));
    const row = found[0];
    return row === undefined ? null : rows.toUser(row);
  }
}
