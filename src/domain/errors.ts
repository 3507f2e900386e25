/**
 * Errors the use cases raise on purpose. The HTTP adapter maps each class to a status in one place;
 * messages are safe to show to a client and never contain a secret.
 */
export abstract class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class EmailAlreadyRegisteredError extends DomainError {
  constructor() {
    super('email already registered');
  }
}

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('invalid email or password');
  }
}

/** Unknown, expired or revoked session: deliberately indistinguishable. */
export class InvalidSessionError extends DomainError {
  constructor() {
    super('invalid or expired session');
  }
}

export class UnknownEmailError extends DomainError {
  constructor() {
    super('unknown email');
  }
}

/** Wrong, expired, used, superseded or foreign reset token: deliberately indistinguishable. */
export class InvalidResetTokenError extends DomainError {
  constructor() {
    super('invalid or expired reset token');
  }
}

export class InvalidInputError extends DomainError {
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
  constructor(options?: { cause?: unknown }) {
    super('the service is temporarily unavailable, please retry');
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * The reset instructions could not be sent (a mail server down, refusing or too slow). Notifiers raise it
 * instead of their transport's errors; nothing usable was delivered, and the request is safe to retry.
 */
export class DeliveryUnavailableError extends DomainError {
  constructor(options?: { cause?: unknown }) {
    super('the reset instructions could not be sent now, please retry later');
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Over a rate limit: the attempt was not made. Throttling, not a lockout: it ends after retryAfterSeconds. */
export class TooManyAttemptsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('too many attempts, please retry later');
  }
}

/** The client went away before its request was served: nothing more is done for it, and nobody is answered. */
export class ClientGoneError extends DomainError {
  constructor() {
    super('the client closed the request');
  }
}
