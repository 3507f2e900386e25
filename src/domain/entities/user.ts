/** A registered account. Secrets are held only as digests: a bcrypt hash for the password, SHA-256 for the reset token. */
export interface User {
  readonly id: string;
  /** Normalised (trimmed, lower-cased): the identity of the account. */
  readonly email: string;
  readonly passwordHash: string;
  /**
   * Incremented by the store, in the same atomic step, by every change of the password: sessions carry
   * the version they were issued for, so none made with an older password outlives the change.
   */
  readonly passwordVersion: number;
  readonly resetTokenHash: string | null;
  readonly resetTokenExpiresAt: Date | null;
  /**
   * The digest of the reset token last spent, kept until that token's own expiry, so that a client
   * whose reset succeeded but whose answer was lost (a 503) can repeat the same request and get a 200.
   */
  readonly spentResetTokenHash: string | null;
  readonly spentResetTokenExpiresAt: Date | null;
  /** When the password last changed (registration, reset). */
  readonly passwordChangedAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
