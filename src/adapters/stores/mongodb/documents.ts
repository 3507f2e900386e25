import { createHash } from 'node:crypto';
import type { Session } from '../../../domain/entities/session.js';
import type { User } from '../../../domain/entities/user.js';

/**
 * How a user is stored. The reset-token fields are absent, not null, when there is no token; a missing
 * passwordVersion (a document written before it existed) is version 0. Likewise emailVerifiedAt, the
 * verification token and the pending email change are absent when null (and on documents written before
 * they existed: such users are unverified).
 */
export interface UserDocument {
  _id: string;
  email: string;
  passwordHash: string;
  passwordVersion?: number;
  resetTokenHash?: string;
  resetTokenExpiresAt?: Date;
  spentResetTokenHash?: string;
  spentResetTokenExpiresAt?: Date;
  emailVerifiedAt?: Date;
  verificationTokenHash?: string;
  verificationTokenExpiresAt?: Date;
  pendingEmail?: string;
  emailChangeTokenHash?: string;
  emailChangeTokenExpiresAt?: Date;
  emailChangeSessionId?: string;
  passwordChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * How a session is stored: keyed by the SHA-256 digest of its token. A document written before handles,
 * last use and client were kept lacks them: see toSession.
 */
export interface SessionDocument {
  _id: string;
  handle?: string;
  userId: string;
  passwordVersion?: number;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt?: Date;
  userAgent?: string | null;
  address?: string | null;
}

export function toUserDocument(user: User): UserDocument {
  const document: UserDocument = {
    _id: user.id,
    email: user.email,
    passwordHash: user.passwordHash,
    passwordVersion: user.passwordVersion,
    passwordChangedAt: user.passwordChangedAt,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
  if (user.resetTokenHash !== null && user.resetTokenExpiresAt !== null) {
    document.resetTokenHash = user.resetTokenHash;
    document.resetTokenExpiresAt = user.resetTokenExpiresAt;
  }
  if (user.spentResetTokenHash !== null && user.spentResetTokenExpiresAt !== null) {
    document.spentResetTokenHash = user.spentResetTokenHash;
    document.spentResetTokenExpiresAt = user.spentResetTokenExpiresAt;
  }
  if (user.emailVerifiedAt !== null) document.emailVerifiedAt = user.emailVerifiedAt;
  if (user.verificationTokenHash !== null && user.verificationTokenExpiresAt !== null) {
    document.verificationTokenHash = user.verificationTokenHash;
    document.verificationTokenExpiresAt = user.verificationTokenExpiresAt;
  }
  if (user.pendingEmail !== null && user.emailChangeTokenHash !== null && user.emailChangeTokenExpiresAt !== null) {
    document.pendingEmail = user.pendingEmail;
    document.emailChangeTokenHash = user.emailChangeTokenHash;
    document.emailChangeTokenExpiresAt = user.emailChangeTokenExpiresAt;
    if (user.emailChangeSessionId !== null) document.emailChangeSessionId = user.emailChangeSessionId;
  }
  return document;
}

export function toUser(document: UserDocument): User {
  return {
    id: document._id,
    email: document.email,
    passwordHash: document.passwordHash,
    passwordVersion: document.passwordVersion ?? 0,
    resetTokenHash: document.resetTokenHash ?? null,
    resetTokenExpiresAt: document.resetTokenExpiresAt ?? null,
    spentResetTokenHash: document.spentResetTokenHash ?? null,
    spentResetTokenExpiresAt: document.spentResetTokenExpiresAt ?? null,
    emailVerifiedAt: document.emailVerifiedAt ?? null,
    verificationTokenHash: document.verificationTokenHash ?? null,
    verificationTokenExpiresAt: document.verificationTokenExpiresAt ?? null,
    pendingEmail: document.pendingEmail ?? null,
    emailChangeTokenHash: document.emailChangeTokenHash ?? null,
    emailChangeTokenExpiresAt: document.emailChangeTokenExpiresAt ?? null,
    emailChangeSessionId: document.emailChangeSessionId ?? null,
    passwordChangedAt: document.passwordChangedAt,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

export function toSessionDocument(session: Session): SessionDocument {
  return {
    _id: session.id,
    handle: session.handle,
    userId: session.userId,
    passwordVersion: session.passwordVersion,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
    lastSeenAt: session.lastSeenAt,
    userAgent: session.userAgent,
    address: session.address,
  };
}

export function toSession(document: SessionDocument): Session {
  return {
    id: document._id,
    handle: document.handle ?? legacyHandle(document._id),
    userId: document.userId,
    passwordVersion: document.passwordVersion ?? 0,
    createdAt: document.createdAt,
    expiresAt: document.expiresAt,
    // Its last use is unknown: the idle timeout counts from its creation, as the SQL migrations do.
    lastSeenAt: document.lastSeenAt ?? document.createdAt,
    userAgent: document.userAgent ?? null,
    address: document.address ?? null,
  };
}

/**
 * The handle of a session stored before handles were: derived from the stored digest through SHA-256, so
 * that it is stable from one read to the next without a migration, and reveals neither the digest nor
 * the token (neither can be recovered from it, and it is no credential).
 */
function legacyHandle(id: string): string {
  return createHash('sha256').update(`session-handle:${id}`).digest('hex');
}
