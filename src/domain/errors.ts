/**
 * Errors the use cases raise on purpose. Each has a stable, machine-readable `code` (snake_case, never
 * renamed: clients may branch on it) and a message safe to show to a client, which never contains a
 * secret. The HTTP adapter maps each code to a status in one place (src/adapters/http/error-catalogue.ts).
 */
export type DomainErrorCode =
  | 'invalid_input'
  | 'email_taken'
  | 'invalid_credentials'
  | 'wrong_password'
  | 'invalid_session'
  | 'session_not_found'
  | 'unknown_email'
  | 'invalid_reset_token'
  | 'invalid_verification_token'
  | 'email_not_verified'
  | 'too_many_attempts'
  | 'store_unavailable'
  | 'delivery_unavailable'
  | 'client_gone';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class EmailAlreadyRegisteredError extends DomainError {
  readonly code = 'email_taken' as const;

  constructor() {
    super('email already registered');
  }
}

export class InvalidCredentialsError extends DomainError {
  readonly code = 'invalid_credentials' as const;

  constructor() {
    super('invalid email or password');
  }
}

/** The password given to confirm an action of a logged-in user (a password change, deleting the account) is not theirs. */
export class WrongPasswordError extends DomainError {
  readonly code = 'wrong_password' as const;

  constructor() {
    super('wrong password');
  }
}

/** Unknown, expired or revoked session: deliberately indistinguishable. */
export class InvalidSessionError extends DomainError {
  readonly code = 'invalid_session' as const;

  constructor() {
    super('invalid or expired session');
  }
}

/**
 * The session named is not one of the caller's live sessions: the same whether it belongs to someone
 * else, has ended, or never existed.
 */
export class SessionNotFoundError extends DomainError {
  readonly code = 'session_not_found' as const;

  constructor() {
    super('no such session');
  }
}

export class UnknownEmailError extends DomainError {
  readonly code = 'unknown_email' as const;

  constructor() {
    super('unknown email');
  }
}

/** Wrong, expired, used, superseded or foreign reset token: deliberately indistinguishable. */
export class InvalidResetTokenError extends DomainError {
  readonly code = 'invalid_reset_token' as const;

  constructor() {
    super('invalid or expired reset token');
  }
}

/** Wrong, expired, used, superseded or foreign verification (or email-change) token: deliberately indistinguishable. */
export class InvalidVerificationTokenError extends DomainError {
  readonly code = 'invalid_verification_token' as const;

  constructor() {
    super('invalid or expired verification token');
  }
}

/**
 * With EMAIL_VERIFICATION=required, the right password of an account whose address is not verified yet:
 * raised only after the password matched, so it tells nothing to whoever does not know it.
 */
export class EmailNotVerifiedError extends DomainError {
  readonly code = 'email_not_verified' as const;

  constructor() {
    super('the email address of this account is not verified yet');
  }
}

export class InvalidInputError extends DomainError {
  readonly code = 'invalid_input' as const;

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

/**
 * A store did not answer (unreachable, timed out, failing over). Repositories raise it instead of
 * their driver's errors; the operation either did not happen or is safe to retry.
 */
export class StoreUnavailableError extends DomainError {
  readonly code = 'store_unavailable' as const;

  constructor(options?: { cause?: unknown }) {
    super('the service is temporarily unavailable, please retry');
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * A message could not be sent (a mail server down, refusing or too slow). Notifiers raise it instead of
 * their transport's errors; nothing usable was delivered, and the request is safe to retry.
 */
export class DeliveryUnavailableError extends DomainError {
  readonly code = 'delivery_unavailable' as const;

  constructor(options?: { cause?: unknown }) {
    super('the message could not be sent now, please retry later');
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Over a rate limit: the attempt was not made. Rate limiting, not a lockout: it ends after retryAfterSeconds. */
export class TooManyAttemptsError extends DomainError {
  readonly code = 'too_many_attempts' as const;

  constructor(readonly retryAfterSeconds: number) {
    super('too many attempts, please retry later');
  }
}

/** The client went away before its request was served: nothing more is done for it, and nobody is answered. */
export class ClientGoneError extends DomainError {
  readonly code = 'client_gone' as const;

  constructor() {
    super('the client closed the request');
  }
}
