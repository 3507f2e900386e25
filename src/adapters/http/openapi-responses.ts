import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import { bodyTooLargeMessage, errorBody, type ErrorCode } from './error-catalogue.js';
import { BODY_LIMIT_BYTES } from './request-body.js';
import { AllowHeader, ErrorMessage, RequestIdHeader, RetryAfterHeader } from './openapi-schemas.js';

/** An example error body of a response: its name in the document, a summary, the code, and a message if not the code's own. */
export type ErrorExample = readonly [name: string, summary: string, code: ErrorCode, message?: string];

/** The error examples many operations show, one home each. */
export const ERROR_EXAMPLES = {
  invalidSession: ['invalidSession', 'No valid session', 'invalid_session'],
  crossSite: ['crossSite', 'From another site', 'cross_site_refused'],
  wrongPassword: ['wrongPassword', 'Wrong password', 'wrong_password'],
} as const satisfies Record<string, ErrorExample>;

// Every way a session cookie is refused, all answered alike (the domain's InvalidSessionError).
const NO_VALID_SESSION =
  'No valid session (none, unknown, malformed, expired, idle too long or ended, or issued for a password changed since: all alike)';

interface ErrorResponseOptions {
  /** Set for a response shared by operations: it becomes a component, named so. */
  readonly id?: string;
  readonly retryAfter?: boolean;
  readonly allow?: boolean;
}

/** An error response: always `{"code", "message"}` in JSON, always with X-Request-Id. */
export function errorResponse(
  description: string,
  examples: readonly ErrorExample[],
  options: ErrorResponseOptions = {},
): ZodOpenApiResponseObject {
  return {
    ...(options.id === undefined ? {} : { id: options.id }),
    description,
    headers: z.object({
      'X-Request-Id': RequestIdHeader,
      ...(options.retryAfter === true ? { 'Retry-After': RetryAfterHeader } : {}),
      ...(options.allow === true ? { Allow: AllowHeader } : {}),
    }),
    content: {
      'application/json': {
        schema: ErrorMessage,
        examples: Object.fromEntries(
          examples.map(([name, summary, code, message]) => [name, { summary, value: errorBody(code, message) }]),
        ),
      },
    },
  };
}

/** A success response: a JSON body of `schema`, with X-Request-Id and `headers`. */
export function jsonResponse(
  description: string,
  schema: z.ZodType,
  examples: Readonly<Record<string, { readonly summary: string; readonly value: unknown }>>,
  headers: z.ZodRawShape = {},
): ZodOpenApiResponseObject {
  const media = Object.keys(examples).length === 0 ? { schema } : { schema, examples };
  return { description, headers: z.object({ 'X-Request-Id': RequestIdHeader, ...headers }), content: { 'application/json': media } };
}

/** The responses many operations share, each a component of the document. */
export const SHARED_RESPONSES = {
  badRequest: errorResponse(
    'A field is missing, empty, invalid or not a string, or the email is already registered; the body is malformed JSON, not an ' +
      "object, or does not decompress; or the request is not valid HTTP (answered by Node's HTTP server, see `MalformedRequest`).",
    [
      ['missing', 'A missing field', 'invalid_input', 'email is required'],
      ['notString', 'A field that is not a string (an object, array, number…)', 'invalid_input', 'email must be a string'],
      ['invalid', 'An invalid field', 'invalid_input', 'password must be at least 8 characters'],
      [
        'tooLong',
        'A password bcrypt would truncate',
        'invalid_input',
        'password must be at most 72 bytes in UTF-8 (bcrypt ignores anything longer, so it is rejected rather than truncated)',
      ],
      ['taken', 'An email already registered (POST /users)', 'email_taken'],
      ['badJson', 'Malformed JSON', 'malformed_json'],
    ],
    { id: 'BadRequest' },
  ),
  malformedRequest: errorResponse(
    "The request is not valid HTTP: answered by Node's HTTP server before the service sees it (src/adapters/http/unparsable-request.ts), " +
      'with an `X-Request-Id` and the security headers, and `Connection: close`.',
    [['badRequest', 'Not valid HTTP', 'unparsable_request']],
    { id: 'MalformedRequest' },
  ),
  storeOrDeliveryUnavailable: errorResponse(
    'The store did not answer in time, or (with `RESET_TOKEN_DELIVERY=email`) the message could not be sent: nothing usable was ' +
      'delivered; retry after `Retry-After` seconds.',
    [
      ['storeUnavailable', 'Store unavailable', 'store_unavailable'],
      ['deliveryUnavailable', 'Mail not sent', 'delivery_unavailable'],
    ],
    { id: 'StoreOrDeliveryUnavailable', retryAfter: true },
  ),
  invalidSession: errorResponse(`${NO_VALID_SESSION}.`, [ERROR_EXAMPLES.invalidSession], { id: 'InvalidSession' }),
  invalidSessionOrCrossSite: errorResponse(
    `${NO_VALID_SESSION}, or a cross-site request.`,
    [ERROR_EXAMPLES.invalidSession, ERROR_EXAMPLES.crossSite],
    { id: 'InvalidSessionOrCrossSite' },
  ),
  crossSiteRefused: errorResponse(
    "A `POST`, `PUT`, `DELETE` or other unsafe method whose `Origin` is neither the service's own nor in `ALLOWED_ORIGINS`: " +
      'refused before anything happens.',
    [ERROR_EXAMPLES.crossSite],
    { id: 'CrossSiteRefused' },
  ),
  notFound: errorResponse('No such path.', [['notFound', 'Unknown path', 'not_found']], { id: 'NotFound' }),
  methodNotAllowed: errorResponse(
    'The path exists but does not accept this method (including methods no route has, such as `TRACE` or `PROPFIND`). ' +
      '`Allow` lists the methods it accepts.',
    [['methodNotAllowed', 'Wrong method', 'method_not_allowed']],
    { id: 'MethodNotAllowed', allow: true },
  ),
  options: {
    id: 'Options',
    description: 'The methods the path accepts, in `Allow`. No body.',
    headers: z.object({ 'X-Request-Id': RequestIdHeader, Allow: AllowHeader }),
  } satisfies ZodOpenApiResponseObject,
  requestTimeout: errorResponse(
    "The request took too long to arrive: answered by Node's HTTP server, with an `X-Request-Id` and `Connection: close`.",
    [['timeout', 'Too slow', 'request_timeout']],
    { id: 'RequestTimeout' },
  ),
  payloadTooLarge: errorResponse(
    `The body is over ${BODY_LIMIT_BYTES / 1024} KiB (after decompression).`,
    [['tooLarge', 'Too large', 'body_too_large', bodyTooLargeMessage(BODY_LIMIT_BYTES)]],
    { id: 'PayloadTooLarge' },
  ),
  unsupportedMediaType: errorResponse(
    'A body of another content type (only `application/x-www-form-urlencoded` and `application/json`), or an unsupported ' +
      'charset or encoding.',
    [
      ['contentType', 'Another content type', 'unsupported_content_type'],
      ['charset', 'Another charset or encoding', 'unsupported_body_encoding'],
    ],
    { id: 'UnsupportedMediaType' },
  ),
  tooManyRequests: errorResponse(
    'Over a rate limit: the attempt was not made. Rate limiting, never a lockout: retry after `Retry-After` seconds.',
    [['rateLimited', 'Rate-limited', 'too_many_attempts']],
    { id: 'TooManyRequests', retryAfter: true },
  ),
  headersTooLarge: errorResponse(
    "The request headers are over 16 KiB: answered by Node's HTTP server, with an `X-Request-Id` and `Connection: close`.",
    [['tooLarge', 'Headers too large', 'headers_too_large']],
    { id: 'HeadersTooLarge' },
  ),
  internalError: errorResponse('A bug: logged with the request id, answered with no detail.', [['internal', 'A bug', 'internal_error']], {
    id: 'InternalError',
  }),
  storeUnavailable: errorResponse(
    'The store did not answer in time (`MONGODB_TIMEOUT`, 2 s by default): nothing was done, retry after `Retry-After` seconds.',
    [['unavailable', 'Store unavailable', 'store_unavailable']],
    { id: 'StoreUnavailable', retryAfter: true },
  ),
} as const;
