import type { Context } from 'koa';
import { HttpError } from 'http-errors';
import { STATUS_CODES } from 'node:http';
import { DomainError, TooManyAttemptsError } from '../../domain/errors.js';
import { CataloguedHttpError, codeForStatus, ERROR_CATALOGUE, errorBody, messageOf } from './error-catalogue.js';

export interface ErrorLogger {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
}

interface ErrorResponse {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
  /** For a 5xx that is not a bug: the warning logged with the error. */
  readonly unavailable?: string;
}

/** Where errors become HTTP answers, by the catalogue (error-catalogue.ts). Anything not in it is a 500. */
function errorResponseFor(error: unknown): ErrorResponse | undefined {
  if (error instanceof DomainError) {
    const entry = ERROR_CATALOGUE[error.code];
    const retryAfterSeconds = error instanceof TooManyAttemptsError ? error.retryAfterSeconds : entry.retryAfterSeconds;
    return { status: entry.status, code: error.code, message: error.message, retryAfterSeconds, unavailable: entry.unavailable };
  }
  if (error instanceof CataloguedHttpError) {
    const entry = ERROR_CATALOGUE[error.code];
    return { status: entry.status, code: error.code, message: error.message, retryAfterSeconds: entry.retryAfterSeconds };
  }
  // Errors raised by the router or Koa whose message is meant for the client (none known today).
  if (error instanceof HttpError && error.expose)
    return { status: error.status, code: codeForStatus(error.status), message: error.message };
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
    response = { status: 500, code: 'internal_error', message: messageOf('internal_error') };
  } else if (response.unavailable !== undefined) {
    logger.warn({ error }, response.unavailable);
  }
  if (ctx.headerSent) return;
  ctx.status = response.status;
  ctx.body = { code: response.code, message: response.message };
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
    ctx.body =
      status === 404
        ? errorBody('not_found')
        : status === 405
          ? errorBody('method_not_allowed')
          : { code: codeForStatus(status), message: (STATUS_CODES[status] ?? 'error').toLowerCase() };
    ctx.status = status; // assigning a body would otherwise turn Koa's implicit 404 into a 200
  } else if (ctx.method === 'OPTIONS') {
    ctx.status = 204;
  }
}
