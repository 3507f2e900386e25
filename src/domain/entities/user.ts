/**
 * A registered account. Secrets are held only as digests: a bcrypt hash for the password, SHA-256 for
 * the reset, verification and email-change tokens.
 */
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
  /** When the owner of `email` proved it, by spending a verification or email-change token; null until then. */
  readonly emailVerifiedAt: Date | null;
  /** The digest of the token sent to `email` to verify it, and its expiry; a newer one replaces it. */
  readonly verificationTokenHash: string | null;
  readonly verificationTokenExpiresAt: Date | null;
  /**
   * An email change waiting for its proof: the new address, the digest of the token sent there, its expiry,
   * and the session that asked for it (the one kept when the change completes). All null, or none.
   * `email` stays the account's address until the token is spent.
   */
  readonly pendingEmail: string | null;
  readonly emailChangeTokenHash: string | null;
  readonly emailChangeTokenExpiresAt: Date | null;
  readonly emailChangeSessionId: string | null;
  /** When the password last changed (registration, reset). */
  readonly passwordChangedAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
