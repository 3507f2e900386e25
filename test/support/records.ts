import type { Session } from '../../src/domain/entities/session.js';
import type { User } from '../../src/domain/entities/user.js';

/** A user as a store holds it, without tokens or a pending email change, unverified, every instant `at`. */
export function userRecord(id: string, email: string, at: Date, overrides: Partial<User> = {}): User {
  return {
    id,
    email,
    passwordHash: 'hash',
    passwordVersion: 0,
    resetTokenHash: null,
    resetTokenExpiresAt: null,
    spentResetTokenHash: null,
    spentResetTokenExpiresAt: null,
    emailVerifiedAt: null,
    verificationTokenHash: null,
    verificationTokenExpiresAt: null,
    pendingEmail: null,
    emailChangeTokenHash: null,
    emailChangeTokenExpiresAt: null,
    emailChangeSessionId: null,
    passwordChangedAt: at,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** A session of `userId` created at `createdAt`. */
export function sessionRecord(id: string, userId: string, createdAt: Date, expiresAt: Date, overrides: Partial<Session> = {}): Session {
  return {
    id,
    handle: `handle-of-${id}`,
    userId,
    passwordVersion: 0,
    createdAt,
    expiresAt,
    lastSeenAt: createdAt,
    userAgent: null,
    address: null,
    ...overrides,
  };
}
