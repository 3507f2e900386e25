import { STATUS_CODES } from 'node:http';
import {
  ClientGoneError,
  DeliveryUnavailableError,
  EmailAlreadyRegisteredError,
  EmailNotVerifiedError,
  InvalidCredentialsError,
  InvalidResetTokenError,
  InvalidSessionError,
  InvalidVerificationTokenError,
  SessionNotFoundError,
  StoreUnavailableError,
  TooManyAttemptsError,
  UnknownEmailError,
  WrongPasswordError,
  type DomainErrorCode,
} from '../../domain/errors.js';

/**
 * The one table of every error the service answers: for each stable `code` (the domain's, and this
 * adapter's own), its status, its message (or, for the messages that carry a field name or a limit,
 * the patterns every one of them matches) and its headers. Every error body is `{"code", "message"}`.
 */
export interface CatalogueEntry {
  readonly status: number;
  /** The message, for an entry that always sends the same one. */
  readonly message?: string;
  /** Every message the entry may send, exactly (anchored patterns). */
  readonly messages: readonly RegExp[];
  /** Retry-After, in seconds, when the entry sends one (a TooManyAttemptsError's own takes precedence). */
  readonly retryAfterSeconds?: number;
  /** For a 5xx that is not a bug: the warning logged with the error. */
  readonly unavailable?: string;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (message: string): RegExp => new RegExp(`^${escape(message)}$`);
function fixed(status: number, message: string, extra: Omit<CatalogueEntry, 'status' | 'message' | 'messages'> = {}): CatalogueEntry {
  return { status, message, messages: [exactly(message)], ...extra };
}

// InvalidInputError's `${field} ${reason}`: the fields the routes read, the reasons the adapter
// (request-body.ts) and the domain rules (email, password) give.
const FIELD = '(?:email|password|current_password|new_password|reset_token|new_email|verification_token)';
const EMAIL_FIELD = '(?:email|new_email)';
const PASSWORD_FIELD = '(?:password|current_password|new_password)';
const INVALID_INPUT_MESSAGES: readonly RegExp[] = [
  new RegExp(`^${FIELD} (?:is required|must be a string|must not be empty|must be well-formed Unicode \\(no lone surrogates\\))$`),
  /^body must be a form or a JSON object$/,
  new RegExp(`^${EMAIL_FIELD} must be at most 254 characters$`),
  new RegExp(`^${EMAIL_FIELD} must be an email address of the form local@domain$`),
  /^new_email must differ from the current email$/,
  new RegExp(`^${PASSWORD_FIELD} must not contain a NUL character$`),
  new RegExp(`^${PASSWORD_FIELD} must be at least [1-9]\\d* characters$`),
  new RegExp(
    `^${PASSWORD_FIELD} must be at most 72 bytes in UTF-8 \\(bcrypt ignores anything longer, so it is rejected rather than truncated\\)$`,
  ),
];

// A store outage is usually a failover or a restart: a few seconds.
const STORE_RETRY_AFTER_SECONDS = 5;
// A mail server that is down or refusing mail usually takes longer to come back than a database failover.
const DELIVERY_RETRY_AFTER_SECONDS = 30;
// How soon a load balancer may ask /readyz again: as for a store outage.
const READINESS_RETRY_AFTER_SECONDS = 5;

/** The domain's errors: the message is each class's own (the domain words it), the status is decided here. */
const DOMAIN_ERRORS = {
  invalid_input: { status: 400, messages: INVALID_INPUT_MESSAGES },
  email_taken: fixed(400, new EmailAlreadyRegisteredError().message),
  invalid_credentials: fixed(401, new InvalidCredentialsError().message),
  wrong_password: fixed(401, new WrongPasswordError().message),
  invalid_session: fixed(403, new InvalidSessionError().message),
  session_not_found: fixed(404, new SessionNotFoundError().message),
  unknown_email: fixed(403, new UnknownEmailError().message),
  invalid_reset_token: fixed(403, new InvalidResetTokenError().message),
  invalid_verification_token: fixed(403, new InvalidVerificationTokenError().message),
  email_not_verified: fixed(403, new EmailNotVerifiedError().message),
  // Retry-After: the error's own retryAfterSeconds.
  too_many_attempts: fixed(429, new TooManyAttemptsError(1).message),
  store_unavailable: fixed(503, new StoreUnavailableError().message, {
    retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
    unavailable: 'store unavailable',
  }),
  delivery_unavailable: fixed(503, new DeliveryUnavailableError().message, {
    retryAfterSeconds: DELIVERY_RETRY_AFTER_SECONDS,
    unavailable: 'reset token delivery unavailable',
  }),
  // nginx's "client closed request": nobody receives it, but the request's log line records it.
  client_gone: fixed(499, new ClientGoneError().message),
} as const satisfies Record<DomainErrorCode, CatalogueEntry>;

/** This adapter's own answers: bodies, requests, and what Node answers for us (unparsable-request.ts). */
const HTTP_ERRORS = {
  body_too_large: { status: 413, messages: [/^request body too large \(limit [1-9]\d* bytes\)$/] },
  unsupported_content_type: fixed(415, 'content type must be application/x-www-form-urlencoded or application/json'),
  unsupported_body_encoding: fixed(415, 'unsupported body encoding or charset'),
  malformed_json: fixed(400, 'request body is not valid JSON'),
  malformed_form: fixed(400, 'malformed form body'),
  undecompressable_body: fixed(400, 'request body could not be decompressed'),
  cross_site_refused: fixed(403, 'cross-site request refused: Origin is not this service or an allowed origin'),
  missing_host: fixed(400, 'Host header is required'),
  not_found: fixed(404, 'not found'),
  method_not_allowed: fixed(405, 'method not allowed'),
  unparsable_request: fixed(400, 'bad request'),
  request_timeout: fixed(408, 'request timeout'),
  headers_too_large: fixed(431, 'request header fields too large'),
  connect_not_supported: fixed(400, 'bad request'),
  not_ready: fixed(503, 'not ready: the store does not answer', { retryAfterSeconds: READINESS_RETRY_AFTER_SECONDS }),
  internal_error: fixed(500, 'internal server error'),
} as const satisfies Record<string, CatalogueEntry>;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;
export type ErrorCode = DomainErrorCode | HttpErrorCode;

export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, CatalogueEntry>> = { ...DOMAIN_ERRORS, ...HTTP_ERRORS };

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** The message of an entry that has a single one; a typo in a code is a type error. */
export function messageOf(code: ErrorCode): string {
  const { message } = ERROR_CATALOGUE[code];
  if (message === undefined) throw new Error(`the ${code} error has no single message`);
  return message;
}

/** The message of a 413 for a body limit. */
export const bodyTooLargeMessage = (limitBytes: number): string => `request body too large (limit ${limitBytes} bytes)`;

/** An error this adapter raises on purpose: its code, status and message come from the catalogue. */
export class CataloguedHttpError extends Error {
  override readonly name = 'CataloguedHttpError';
  readonly status: number;

  constructor(
    readonly code: HttpErrorCode,
    message = messageOf(code),
  ) {
    super(message);
    this.status = ERROR_CATALOGUE[code].status;
  }
}

/**
 * The code for a status with no entry of its own (an exposed HttpError from Koa or the router, a
 * bodiless response): the status's name, in snake case, as 'not_found' and 'method_not_allowed' are.
 */
export function codeForStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'error')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** The JSON body of an error. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
}

export function errorBody(code: ErrorCode, message = messageOf(code)): ErrorBody {
  return { code, message };
}
