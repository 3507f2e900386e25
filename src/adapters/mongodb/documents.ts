import type { Session } from '../../domain/entities/session.js';
import type { User } from '../../domain/entities/user.js';

/** How a user is stored. The reset-token fields are absent, not null, when there is no token. */
export interface UserDocument {
  _id: string;
  email: string;
  passwordHash: string;
  resetTokenHash?: string;
  resetTokenExpiresAt?: Date;
  passwordChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** How a session is stored: keyed by the SHA-256 digest of its token. */
export interface SessionDocument {
  _id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

export function toUserDocument(user: User): UserDocument {
  const document: UserDocument = {
    _id: user.id,
    email: user.email,
    passwordHash: user.passwordHash,
    passwordChangedAt: user.passwordChangedAt,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
  if (user.resetTokenHash !== null && user.resetTokenExpiresAt !== null) {
    document.resetTokenHash = user.resetTokenHash;
    document.resetTokenExpiresAt = user.resetTokenExpiresAt;
  }
  return document;
}

export function toUser(document: UserDocument): User {
  return {
    id: document._id,
    email: document.email,
    passwordHash: document.passwordHash,
    resetTokenHash: document.resetTokenHash ?? null,
    resetTokenExpiresAt: document.resetTokenExpiresAt ?? null,
    passwordChangedAt: document.passwordChangedAt,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

export function toSessionDocument(session: Session): SessionDocument {
  return { _id: session.id, userId: session.userId, createdAt: session.createdAt, expiresAt: session.expiresAt };
}

export function toSession(document: SessionDocument): Session {
  return { id: document._id, userId: document.userId, createdAt: document.createdAt, expiresAt: document.expiresAt };
}
