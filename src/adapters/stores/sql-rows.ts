import type { Session } from '../../domain/entities/session.js';
import type { User } from '../../domain/entities/user.js';

/**
 * A user as the SQL stores keep it, one column per field. `Time` is how the database holds an instant:
 * milliseconds since the epoch in SQLite, `timestamptz` (a Date in the driver) in PostgreSQL.
 */
export interface UserRow<Time> {
  id: string;
  email: string;
  password_hash: string;
  password_version: number;
  reset_token_hash: string | null;
  reset_token_expires_at: Time | null;
  spent_reset_token_hash: string | null;
  spent_reset_token_expires_at: Time | null;
  email_verified_at: Time | null;
  verification_token_hash: string | null;
  verification_token_expires_at: Time | null;
  pending_email: string | null;
  email_change_token_hash: string | null;
  email_change_token_expires_at: Time | null;
  email_change_session_id: string | null;
  password_changed_at: Time;
  created_at: Time;
  updated_at: Time;
}

/** A session row: keyed by the SHA-256 digest of its token, never the token. */
export interface SessionRow<Time> {
  id: string;
  handle: string;
  user_id: string;
  password_version: number;
  created_at: Time;
  expires_at: Time;
  last_seen_at: Time;
  user_agent: string | null;
  address: string | null;
}

/** The columns of a user row, in the order userValues() gives them. */
export const USER_COLUMNS = [
  'id',
  'email',
  'password_hash',
  'password_version',
  'reset_token_hash',
  'reset_token_expires_at',
  'spent_reset_token_hash',
  'spent_reset_token_expires_at',
  'email_verified_at',
  'verification_token_hash',
  'verification_token_expires_at',
  'pending_email',
  'email_change_token_hash',
  'email_change_token_expires_at',
  'email_change_session_id',
  'password_changed_at',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof UserRow<unknown>>;

export const SESSION_COLUMNS = [
  'id',
  'handle',
  'user_id',
  'password_version',
  'created_at',
  'expires_at',
  'last_seen_at',
  'user_agent',
  'address',
] as const satisfies ReadonlyArray<keyof SessionRow<unknown>>;

interface TimeCodec<Time> {
  readonly toDate: (value: Time) => Date;
  readonly fromDate: (date: Date) => Time;
}

/** The mapping between the domain's records and rows, for a database that holds instants as `Time`. */
export function sqlRows<Time>({ toDate, fromDate }: TimeCodec<Time>) {
  const orNull = <A, B>(value: A | null, convert: (value: A) => B): B | null => (value === null ? null : convert(value));
  return {
    /** A user's values, in USER_COLUMNS order. */
    userValues(user: User): unknown[] {
      return [
        user.id,
        user.email,
        user.passwordHash,
        user.passwordVersion,
        user.resetTokenHash,
        orNull(user.resetTokenExpiresAt, fromDate),
        user.spentResetTokenHash,
        orNull(user.spentResetTokenExpiresAt, fromDate),
        orNull(user.emailVerifiedAt, fromDate),
        user.verificationTokenHash,
        orNull(user.verificationTokenExpiresAt, fromDate),
        user.pendingEmail,
        user.emailChangeTokenHash,
        orNull(user.emailChangeTokenExpiresAt, fromDate),
        user.emailChangeSessionId,
        fromDate(user.passwordChangedAt),
        fromDate(user.createdAt),
        fromDate(user.updatedAt),
      ];
    },
    toUser(row: UserRow<Time>): User {
      return {
        id: row.id,
        email: row.email,
        passwordHash: row.password_hash,
        passwordVersion: row.password_version,
        resetTokenHash: row.reset_token_hash,
        resetTokenExpiresAt: orNull(row.reset_token_expires_at, toDate),
        spentResetTokenHash: row.spent_reset_token_hash,
        spentResetTokenExpiresAt: orNull(row.spent_reset_token_expires_at, toDate),
        emailVerifiedAt: orNull(row.email_verified_at, toDate),
        verificationTokenHash: row.verification_token_hash,
        verificationTokenExpiresAt: orNull(row.verification_token_expires_at, toDate),
        pendingEmail: row.pending_email,
        emailChangeTokenHash: row.email_change_token_hash,
        emailChangeTokenExpiresAt: orNull(row.email_change_token_expires_at, toDate),
        emailChangeSessionId: row.email_change_session_id,
        passwordChangedAt: toDate(row.password_changed_at),
        createdAt: toDate(row.created_at),
        updatedAt: toDate(row.updated_at),
      };
    },
    /** A session's values, in SESSION_COLUMNS order. */
    sessionValues(session: Session): unknown[] {
      return [
        session.id,
        session.handle,
        session.userId,
        session.passwordVersion,
        fromDate(session.createdAt),
        fromDate(session.expiresAt),
        fromDate(session.lastSeenAt),
        session.userAgent,
        session.address,
      ];
    },
    toSession(row: SessionRow<Time>): Session {
      return {
        id: row.id,
        handle: row.handle,
        userId: row.user_id,
        passwordVersion: row.password_version,
        createdAt: toDate(row.created_at),
        expiresAt: toDate(row.expires_at),
        lastSeenAt: toDate(row.last_seen_at),
        userAgent: row.user_agent,
        address: row.address,
      };
    },
  };
}
