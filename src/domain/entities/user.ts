/** A registered account. Secrets are held only as digests: a bcrypt hash for the password, SHA-256 for the reset token. */
export interface User {
  readonly id: string;
  /** Normalised (trimmed, lower-cased): the identity of the account. */
  readonly email: string;
  readonly passwordHash: string;
  readonly resetTokenHash: string | null;
  readonly resetTokenExpiresAt: Date | null;
  /** Sessions created before this instant are no longer valid. */
  readonly passwordChangedAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
