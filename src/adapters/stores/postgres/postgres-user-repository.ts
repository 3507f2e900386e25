import type { Pool } from 'pg';
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
import { run, type Statement } from './statements.js';
import { isUniqueViolation } from './store-errors.js';

/** What clears a pending email change: a change asked for with a password now replaced must not complete. */
const NO_EMAIL_CHANGE =
  'pending_email = NULL, email_change_token_hash = NULL, email_change_token_expires_at = NULL, email_change_session_id = NULL';

/** A user row as consumeEmailChange returns it: the row after the change, and what it had before. */
interface EmailChangedRow extends UserRow<Date> {
  previous_email: string;
  requesting_session_id: string | null;
}

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
    | 'delete'
    | 'setVerificationToken'
    | 'consumeVerificationToken'
    | 'requestEmailChange'
    | 'consumeEmailChange',
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
                 reset_token_hash = NULL, reset_token_expires_at = NULL, spent_reset_token_hash = NULL, spent_reset_token_expires_at = NULL,
                 ${NO_EMAIL_CHANGE}
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
                 reset_token_hash = NULL, reset_token_expires_at = NULL, ${NO_EMAIL_CHANGE}, updated_at = $4
               WHERE email = $1 AND reset_token_hash = $2 AND reset_token_expires_at > $4
               RETURNING ${COLUMNS}`,
      },
      setVerificationToken: {
        name: 'users.set-verification-token',
        text: `UPDATE ${users} SET verification_token_hash = $2, verification_token_expires_at = $3, updated_at = $4
               WHERE email = $1 RETURNING ${COLUMNS}`,
      },
      // The match (email, digest, not expired) and spending the token in one statement; an earlier proof is kept.
      consumeVerificationToken: {
        name: 'users.consume-verification-token',
        text: `UPDATE ${users} SET
                 email_verified_at = coalesce(email_verified_at, $3), verification_token_hash = NULL,
                 verification_token_expires_at = NULL, updated_at = $3
               WHERE email = $1 AND verification_token_hash = $2 AND verification_token_expires_at > $3
               RETURNING ${COLUMNS}`,
      },
      // Conditional on the version read before the password was checked: a reset or change meanwhile wins.
      requestEmailChange: {
        name: 'users.request-email-change',
        text: `UPDATE ${users} SET
                 pending_email = $3, email_change_token_hash = $4, email_change_token_expires_at = $5,
                 email_change_session_id = $6, updated_at = $7
               WHERE id = $1 AND password_version = $2
               RETURNING ${COLUMNS}`,
      },
      // One statement: the CTE locks the matching row (FOR UPDATE) and keeps what it had, the UPDATE makes the
      // change. A concurrent use waits for the row lock, then re-reads the row, finds the digest gone and
      // matches nothing. The new address is $1 (the match pins pending_email to it); the unique constraint on
      // email refuses it, failing the whole statement, when another user has it.
      consumeEmailChange: {
        name: 'users.consume-email-change',
        text: `WITH previous AS (
                 SELECT id, email, email_change_session_id FROM ${users}
                 WHERE email_change_token_hash = $2 AND pending_email = $1 AND email_change_token_expires_at > $3
                 FOR UPDATE
               )
               UPDATE ${users} AS changed SET
                 email = $1, email_verified_at = $3, verification_token_hash = NULL, verification_token_expires_at = NULL,
                 reset_token_hash = NULL, reset_token_expires_at = NULL, spent_reset_token_hash = NULL, spent_reset_token_expires_at = NULL,
                 ${NO_EMAIL_CHANGE}, updated_at = $3
               FROM previous
               WHERE changed.id = previous.id
               RETURNING ${USER_COLUMNS.map((column) => `changed.${column}`).join(', ')},
                 previous.email AS previous_email, previous.email_change_session_id AS requesting_session_id`,
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

  async setVerificationToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null> {
    return this.one(this.statements.setVerificationToken, [email, tokenHash, expiresAt, now]);
  }

  async consumeVerificationToken({ email, tokenHash, now }: TokenUse): Promise<User | null> {
    return this.one(this.statements.consumeVerificationToken, [email, tokenHash, now]);
  }

  async requestEmailChange(request: EmailChangeRequest): Promise<User | null> {
    return this.one(this.statements.requestEmailChange, [
      request.id,
      request.expectedPasswordVersion,
      request.newEmail,
      request.tokenHash,
      request.expiresAt,
      request.sessionId,
      request.now,
    ]);
  }

  async consumeEmailChange({ email, tokenHash, now }: TokenUse): Promise<EmailChanged | null> {
    let found: EmailChangedRow[];
    try {
      ({ rows: found } = await run<EmailChangedRow>(this.pool, this.statements.consumeEmailChange, [email, tokenHash, now]));
    } catch (error) {
      // Another user has the address (registered, or changed to it, meanwhile): the statement changed nothing.
      if (isUniqueViolation(error, 'users_email_unique')) throw new EmailAlreadyRegisteredError();
      throw error;
    }
    const row = found[0];
    if (row === undefined) return null;
    const { previous_email: previousEmail, requesting_session_id: requestingSessionId, ...user } = row;
    return { user: rows.toUser(user), previousEmail, requestingSessionId };
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
