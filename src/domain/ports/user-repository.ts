import type { User } from '../entities/user.js';

export interface ResetTokenConsumption {
  readonly email: string;
  readonly tokenHash: string;
  readonly newPasswordHash: string;
  readonly now: Date;
  /** Kept as spentResetTokenExpiresAt: until when the same reset may be repeated (the token's own expiry). */
  readonly repeatableUntil: Date;
}

export interface PasswordChange {
  readonly id: string;
  /** The passwordVersion read before the current password was checked: the change applies only to it. */
  readonly expectedPasswordVersion: number;
  readonly newPasswordHash: string;
  readonly now: Date;
}

export interface TokenUse {
  readonly email: string;
  readonly tokenHash: string;
  readonly now: Date;
}

export interface EmailChangeRequest {
  readonly id: string;
  /** The passwordVersion read before the password was checked: the request applies only to it. */
  readonly expectedPasswordVersion: number;
  readonly newEmail: string;
  readonly tokenHash: string;
  readonly expiresAt: Date;
  /** The session that asked: kept when the change completes. */
  readonly sessionId: string;
  readonly now: Date;
}

export interface EmailChanged {
  /** The user as changed: `email` is the new address, verified. */
  readonly user: User;
  readonly previousEmail: string;
  /** The session that asked for the change (the only one to outlive it), as recorded with the request. */
  readonly requestingSessionId: string | null;
}

/**
 * Where users live. Every method that must not race is a single atomic operation of the store,
 * never a read followed by a write.
 */
export interface UserRepository {
  /** Inserts a new user. Rejects with EmailAlreadyRegisteredError when the email is taken. */
  add(user: User): Promise<void>;

  findById(id: string): Promise<User | null>;

  findByEmail(email: string): Promise<User | null>;

  /**
   * Gives the user with this email a new reset token digest, replacing any earlier one.
   * Returns the updated user, or null when no user has this email.
   */
  setResetToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null>;

  /**
   * Removes the reset token of the user with this email if, and only if, its stored digest is still this
   * one, as one step: a newer token that superseded it in the meantime is left alone. Returns whether a
   * token was removed.
   */
  clearResetToken(email: string, tokenHash: string, now: Date): Promise<boolean>;

  /**
   * If the user with this email holds this token digest and it has not expired at `now`:
   * sets the new password hash, increments passwordVersion, records the change and moves the token to
   * spentResetTokenHash (with repeatableUntil), and clears any pending email change (one asked with the
   * password now replaced must not complete), as one step.
   * Returns the updated user, or null when nothing matched (so two concurrent uses cannot both win).
   */
  consumeResetToken(consumption: ResetTokenConsumption): Promise<User | null>;

  /**
   * If the user with this id is still at `expectedPasswordVersion`: sets the new password hash,
   * increments passwordVersion, records the change and clears any reset token (outstanding or spent)
   * and any pending email change, as one step. Returns the updated user, or null when nothing matched (a reset or another change
   * committed meanwhile: it wins).
   */
  changePassword(change: PasswordChange): Promise<User | null>;

  /**
   * Replaces the password hash of the user with this id by `newHash` (the same password, hashed again
   * with the current settings) if, and only if, the stored hash is still `expectedHash`, as one step: a
   * reset or change that committed in the meantime wins. passwordVersion and passwordChangedAt stay
   * (the password did not change, and no session ends). Returns whether it replaced it.
   */
  replacePasswordHash(id: string, expectedHash: string, newHash: string, now: Date): Promise<boolean>;

  /**
   * Gives the user with this email a new verification token digest, replacing any earlier one. Returns
   * the updated user, or null when no user has this email.
   */
  setVerificationToken(email: string, tokenHash: string, expiresAt: Date, now: Date): Promise<User | null>;

  /**
   * If the user with this email holds this verification token digest and it has not expired at `now`:
   * records the email as verified (keeping an earlier emailVerifiedAt) and clears the token, as one step.
   * Returns the updated user, or null when nothing matched (so two concurrent uses cannot both win).
   */
  consumeVerificationToken(use: TokenUse): Promise<User | null>;

  /**
   * If the user with this id is still at `expectedPasswordVersion`: records the pending email change,
   * replacing any earlier one, as one step. Returns the updated user, or null when nothing matched (a
   * reset or password change committed meanwhile: it wins).
   */
  requestEmailChange(request: EmailChangeRequest): Promise<User | null>;

  /**
   * If a user's pending email change is to `use.email` with this token digest, unexpired at `now`: makes
   * it the user's email, verified at `now`, and clears the pending change, the verification token and
   * every reset token (outstanding or spent: they were sent to the old address), as one step. Returns the
   * changed user and the address it had, or null when nothing matched (so two concurrent uses cannot both
   * win). Rejects with EmailAlreadyRegisteredError, changing nothing, when another user has the address.
   */
  consumeEmailChange(use: TokenUse): Promise<EmailChanged | null>;

  /**
   * Removes the user with this id, reset tokens and all, if, and only if, it is still at
   * `expectedPasswordVersion`, as one step: a reset or change that committed in the meantime wins.
   * Returns whether it removed it. The email is free to register again once it returns.
   */
  delete(id: string, expectedPasswordVersion: number): Promise<boolean>;
}
