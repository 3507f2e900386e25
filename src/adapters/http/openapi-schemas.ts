import { z } from 'zod';
import 'zod-openapi';
import { ERROR_CODES } from './error-catalogue.js';
import { stringField } from './request-fields.js';
import { SESSION_COOKIE } from './session-cookie.js';

/** The schemas more than one route shares, each a component of the OpenAPI document (its `id`). */

export const SECRET_TOKEN_EXAMPLE = 'kq2Hn1cM3yG0cXyqH3Jd7Q0o1yB5x0Zt1Vq2sCq9b4E';

export const Email = z
  .string()
  .max(254)
  .regex(/^[^\sA-Z@]+@[^\sA-Z@]+$/)
  .meta({ id: 'Email', description: 'The normalised email: trimmed and lower-cased.', examples: ['bob@example.com'] });

const SecretToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/)
  .meta({ id: 'SecretToken', description: '256 random bits in base64url, without padding.', examples: [SECRET_TOKEN_EXAMPLE] });

export const EmailField = stringField({
  id: 'EmailField',
  description:
    "An email address. Trimmed and lower-cased before anything else; then it must have the HTML standard's email shape " +
    '(`local@domain`) and at most 254 characters.',
  examples: [' Bob@Example.COM '],
});

export const NewPassword = stringField({
  id: 'NewPassword',
  description:
    'The password policy: at least `PASSWORD_MIN_LENGTH` characters (8 by default), at most 72 bytes of UTF-8 (bcrypt would ' +
    'silently ignore the rest, so a longer one is refused, saying why), no NUL character. NFKC-normalised before hashing.',
  examples: ['correct horse'],
});

export const ErrorMessage = z.object({ code: z.enum(ERROR_CODES), message: z.string().min(1) }).meta({
  id: 'ErrorMessage',
  description:
    'Every error: a stable, machine-readable `code` (snake_case; a code is never renamed or reused, so clients may branch on it) ' +
    'and one message, safe to show, that never echoes the request. The codes, with their statuses, are the table in ' +
    '`src/adapters/http/error-catalogue.ts`.',
  examples: [{ code: 'invalid_input', message: 'email is required' }],
});

/** A JSON body of exactly one constant message. */
export const messageBody = (message: string) => z.object({ message: z.literal(message) });

// Headers. The schemas describe the text of each header; Retry-After's is a number of seconds.
const REQUEST_ID_EXAMPLE = '6f1c2a4e-3b7d-4f0a-9c1e-8d2b5a7e9f10';

export const RequestIdHeader = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/)
  .meta({
    description:
      "The request's id, also in the service's log line for it: a fresh UUID, or, behind a trusted proxy (`TRUST_PROXY=true`), " +
      'a well-formed `X-Request-Id` the proxy sent.',
    example: REQUEST_ID_EXAMPLE,
    header: { id: 'X-Request-Id' },
  });

export const RetryAfterHeader = z
  .int()
  .min(1)
  .meta({ description: 'Seconds to wait before trying again.', example: 5, header: { id: 'Retry-After' } });

export const AllowHeader = z
  .string()
  .regex(/^[A-Z][A-Z-]*(, [A-Z][A-Z-]*)*$/)
  .meta({
    description: 'The methods the path accepts (every path with `GET` also accepts `HEAD`).',
    example: 'POST, DELETE',
    header: { id: 'Allow' },
  });

export const SessionCookieHeader = z
  .string()
  .regex(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Max-Age=[1-9][0-9]*; Path=/; HttpOnly(; Secure)?; SameSite=Lax$`))
  .meta({
    description:
      `The new session: \`${SESSION_COOKIE}\`, \`HttpOnly\`, \`SameSite=Lax\`, \`Path=/\`, \`Max-Age\` the session lifetime ` +
      '(`SESSION_TTL`, 14 days by default), and `Secure` with `COOKIE_SECURE=true`.',
    example: `${SESSION_COOKIE}=3sKUXQZH7NDjz5DK7eim4YBXzyTptN8G0anBEaIseuU; Max-Age=1209600; Path=/; HttpOnly; SameSite=Lax`,
    header: { id: 'SessionCookie' },
  });

export const ClearedSessionCookieHeader = z
  .string()
  .regex(new RegExp(`^${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly(; Secure)?; SameSite=Lax$`))
  .meta({
    description: `Clears the \`${SESSION_COOKIE}\` cookie: empty, \`Max-Age=0\`.`,
    example: `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`,
    header: { id: 'ClearedSessionCookie' },
  });

/** The Origin request header every state-changing route reads (origin-check.ts). */
export const OriginHeader = z
  .string()
  .optional()
  .meta({
    description:
      "Sent by browsers on cross-site requests. When present, it must be the service's own origin or one listed in " +
      '`ALLOWED_ORIGINS`, or the request is refused with 403 before anything else (this stops cross-site log-out and log-in ' +
      'forgery). Clients that send none are let through.',
    example: 'https://app.example.com',
    param: { id: 'Origin' },
  });

export const SESSION_SECURITY_SCHEME = {
  type: 'apiKey',
  in: 'cookie',
  name: SESSION_COOKIE,
  description:
    'The session token `POST /sessions` sets: 43 base64url characters (256 bits). Sent back as `Cookie: session_id=…`; ' +
    'the service keeps only its SHA-256 digest.',
} as const;

/**
 * The answer of a request that issues a token, by RESET_TOKEN_DELIVERY: the token itself under
 * `tokenField` (`response`), or `message` saying it was mailed (`email`). Exactly one of the two: zod's
 * union is documented as anyOf, which would accept a body that is both.
 */
export function tokenIssuedBody(names: {
  readonly tokenField: string;
  readonly sentMessage: string;
  readonly ids: readonly [string, string];
}) {
  const inResponse = z
    .object({ email: Email, [names.tokenField]: SecretToken })
    .meta({ id: names.ids[0], description: 'With `RESET_TOKEN_DELIVERY=response` (the default): the token itself.' });
  const sent = z.object({ email: Email, message: z.literal(names.sentMessage) }).meta({
    id: names.ids[1],
    description: 'With `RESET_TOKEN_DELIVERY=email`: the token went to the address, not into the answer.',
  });
  return z.union([inResponse, sent]).meta({
    override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
      jsonSchema.oneOf = jsonSchema.anyOf;
      delete jsonSchema.anyOf;
    },
  });
}
