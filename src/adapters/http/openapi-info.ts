import type { ZodOpenApiObject } from 'zod-openapi';
import { BODY_LIMIT_BYTES } from './request-body.js';

/** What the OpenAPI document says of the API as a whole: the prose a reader starts with. */
// OpenAPI 3.1's info has a summary, which the library's type does not know of.
const INFO = {
  title: 'auth-service',
  version: '0.1.0',
  summary: 'Email/password authentication: registration, cookie sessions, profile, password reset.',
  description: [
    'An email/password authentication service: registration, log-in with a server-side session in',
    'an `HttpOnly` cookie, log-out, profile and password reset. It keeps the HTTP contract of the Flask',
    '"user authentication service", so that service\'s clients work unchanged.',
    '',
    "**Bodies.** Requests with a body send `application/x-www-form-urlencoded` (what the seed's clients send)",
    `or \`application/json\`, at most ${BODY_LIMIT_BYTES / 1024} KiB; every field must be a string (nested form syntax such as`,
    '`email[$ne]=x`, repeated keys, JSON objects, arrays, numbers, booleans and null are a 400); fields not',
    'listed are ignored. Every response body is JSON (`application/json; charset=utf-8`), and success bodies',
    'have exactly the keys shown. Every error is `{"code": "…", "message": "…"}`, with exactly those keys: `code` is',
    'stable and machine-readable (`invalid_credentials`, `too_many_attempts`…), `message` is for people, and',
    'neither ever echoes the request or shows a stack trace.',
    '',
    '**Sessions.** `POST /sessions` sets the `session_id` cookie (`HttpOnly; SameSite=Lax; Path=/`,',
    '`Max-Age` the session lifetime, 14 days by default, plus `Secure` with `COOKIE_SECURE=true`): a fresh',
    '256-bit token at every log-in, stored only as its SHA-256 digest. `GET /profile` and',
    '`DELETE /sessions` need it; an unknown, expired or ended session is a 403, all alike.',
    '',
    '**Security behaviour, in short.** Passwords are hashed with bcrypt (over 72 bytes of UTF-8 is a 400,',
    'never silently truncated). A wrong password and an unknown email get the same 401. Reset tokens are',
    'single-use, expire (30 minutes by default), are superseded by a newer one, and a reset ends all the',
    "user's sessions. Log-ins, registrations and both reset steps are rate-limited per client address and per",
    'account (429 with `Retry-After`). A `POST`, `PUT` or `DELETE` whose `Origin` header is neither the',
    "service's own nor in `ALLOWED_ORIGINS` is refused with 403 before anything else happens (requests",
    'without `Origin`, as non-browser clients send them, are let through). When the store does not answer,',
    'routes that need it answer 503 with `Retry-After`.',
    '',
    '**On every response** the service writes: `X-Request-Id` (also in its log line), `Cache-Control: no-store`,',
    "`X-Content-Type-Options: nosniff`, `Content-Security-Policy: default-src 'none'; …`,",
    '`Referrer-Policy: no-referrer` and `X-Frame-Options`. Requests Node cannot parse (400), headers over',
    '16 KiB (431), requests that take too long to arrive (408) and `CONNECT` (400) are answered before',
    'Koa sees them, on the connection itself: the same JSON error, with an `X-Request-Id` and the',
    'same security headers, and `Connection: close`.',
    '',
    '**What every path does besides its operations.** Paths match case-insensitively and with or without',
    'a trailing slash; the query string is ignored. `HEAD` on a path with `GET` answers as `GET` does,',
    'without a body. `OPTIONS` on a listed path answers 204 with `Allow` (the `Options` response). Any',
    'other method on a listed path is a 405 with `Allow` (`MethodNotAllowed`), and any path not listed is a',
    '404 (`NotFound`); a `POST`, `PUT`, `DELETE` or other unsafe method from another site gets the 403',
    '(`CrossSiteRefused`) first.',
  ].join('\n'),
};

export const OPENAPI_INFO: Pick<ZodOpenApiObject, 'info' | 'servers' | 'tags'> = {
  info: INFO,
  servers: [{ url: '/', description: 'The service itself, wherever it is served from.' }],
  tags: [
    { name: 'accounts', description: 'Registration and the profile of the logged-in user.' },
    { name: 'sessions', description: 'Log-in and log-out.' },
    { name: 'password reset', description: 'Reset a forgotten password with a single-use token.' },
    { name: 'service', description: 'Welcome, health, readiness and this document.' },
  ],
};
