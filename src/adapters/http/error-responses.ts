import type { Context } from 'koa';
import { HttpError } from 'http-errors';
import { STATUS_CODES } from 'node:http';
import {
  ClientGoneError,
  DeliveryUnavailableError,
  EmailAlreadyRegisteredError,
  InvalidCredentialsError,
  InvalidInputError,
  InvalidResetTokenError,
  InvalidSessionError,
  StoreUnavailableError,
  TooManyAttemptsError,
  UnknownEmailError,
} from '../../domain/errors.js';

export interface ErrorLogger {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
}

interface ErrorResponse {
  readonly status: number;
  readonly message: string;
  readonly retryAfterSeconds?: number;
  /** For a 5xx that is not a bug: the warning logged with the error. */
  readonly unavailable?: string;
}

// A store outage is usually a failover or a restart: a few seconds.
const STORE_RETRY_AFTER_SECONDS = 5;
// A mail server that is down or refusing mail usually takes longer to come back than a database failover.
const DELIVERY_RETRY_AFTER_SECONDS = 30;

/** The one place where errors become HTTP statuses. Anything not listed here is a 500. */
function errorResponseFor(error: unknown): ErrorResponse | undefined {
  if (error instanceof InvalidInputError) return { status: 400, message: error.message };
  if (error instanceof EmailAlreadyRegisteredError) return { status: 400, message: error.message };
  if (error instanceof InvalidCredentialsError) return { status: 401, message: error.message };
  if (error instanceof InvalidSessionError) return { status: 403, message: error.message };
  if (error instanceof UnknownEmailError) return { status: 403, message: error.message };
  if (error instanceof InvalidResetTokenError) return { status: 403, message: error.message };
  if (error instanceof TooManyAttemptsError) {
    return { status: 429, message: error.message, retryAfterSeconds: error.retryAfterSeconds };
  }
  // nginx's "client closed request": nobody receives it, but the request's log line records it.
  if (error instanceof ClientGoneError) return { status: 499, message: error.message };
  if (error instanceof StoreUnavailableError) {
    return { status: 503, message: error.message, retryAfterSeconds: STORE_RETRY_AFTER_SECONDS, unavailable: 'store unavailable' };
  }
  if (error instanceof DeliveryUnavailableError) {
    return {
      status: 503,
      message: error.message,
      retryAfterSeconds: DELIVERY_RETRY_AFTER_SECONDS,
      unavailable: 'reset token delivery unavailable',
    };
  }
  // Errors raised on purpose by this adapter, the router or Koa, whose message is meant for the client.
  if (error instanceof HttpError && error.expose) return { status: error.status, message: error.message };
  return undefined;
}

/**
 * The router answers 501 to a method no route implements (TRACE, PROPFIND, QUERY…), with an Allow
 * header naming what the path does accept (empty for an unknown path). The contract has no 5xx for a
 * client's mistake: that is a 405 on a known route, keeping Allow, and a 404 on an unknown one.
 */
function methodNotImplementedStatus(ctx: Context): number {
  const allow = ctx.response.get('Allow');
  if (allow !== '') return 405;
  ctx.remove('Allow');
  return 404;
}

/**
 * Answers an error in JSON: domain and HTTP errors get their status and message; anything unexpected
 * is logged and becomes a bare 500, never a stack trace.
 */
export function respondWithError(ctx: Context, error: unknown, logger: ErrorLogger): void {
  let response = errorResponseFor(error);
  if (response === undefined) {
    // The logger's `error` serializer keeps name, message and stack only.
    logger.error({ error }, 'unexpected error');
    response = { status: 500, message: 'internal server error' };
  } else if (response.unavailable !== undefined) {
    logger.warn({ error }, response.unavailable);
  }
  if (ctx.headerSent) return;
  ctx.status = response.status;
  ctx.body = { message: response.message };
  if (response.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(response.retryAfterSeconds));
}

/**
 * Gives a JSON body to a response that has none: a 404 from no route, a 405 from the router (its 501
 * turned into a 405 or a 404); an OPTIONS answer becomes a 204.
 */
export function completeBodilessResponse(ctx: Context): void {
  if (ctx.body != null && ctx.body !== '') return;
  const status = ctx.status === 501 && ctx.res.hasHeader('Allow') ? methodNotImplementedStatus(ctx) : ctx.status;
  if (status >= 400) {
    ctx.body = { message: (STATUS_CODES[status] ?? 'error').toLowerCase() };
    ctx.status = status; // assigning a body would otherwise turn Koa's implicit 404 into a 200
  } else if (ctx.method === 'OPTIONS') {
    ctx.status = 204;
  }
}
