import { z } from 'zod';
import { clientGoneSignal } from '../client-gone.js';
import { ERROR_EXAMPLES, errorResponse, jsonResponse, SHARED_RESPONSES } from '../openapi-responses.js';
import { ClearedSessionCookieHeader, Email, EmailField, messageBody, SessionCookieHeader } from '../openapi-schemas.js';
import { requestFields, stringField } from '../request-fields.js';
import { clearSessionCookie, readSessionToken, setSessionCookie } from '../session-cookie.js';
import type { SessionView } from '../../../domain/use-cases/list-sessions.js';
import { USER_AGENT_MAX_LENGTH } from '../../../domain/rules/sessions.js';
import { pathParameter, route } from './route.js';

const LOGGED_IN = 'logged in';
const LOGGED_OUT = 'logged out';
const SESSION_ENDED = 'session ended';
const WELCOME_PATH = '/';
const LocationHeader = z.literal(WELCOME_PATH).meta({ description: 'Where to go next: the welcome page.', header: { id: 'Location' } });

const logIn = route({
  method: 'post',
  path: '/sessions',
  doc: {
    operationId: 'logIn',
    tags: ['sessions'],
    summary: 'Log in',
    description:
      'Checks the email and password and starts a session: the answer sets the `session_id` cookie, a fresh token at every log-in ' +
      '(any cookie sent along is ignored, so a planted one cannot be fixed). A wrong password and an unknown email get the same 401, ' +
      'after the same bcrypt work. Failed log-ins are rate-limited per account and client address (5 per 15 minutes by default) and ' +
      'per account from all addresses (100 per hour); a successful log-in clears both counts. With `EMAIL_VERIFICATION=required`, ' +
      'the right password of an account whose address is not verified yet gets a 403 `email_not_verified` (and no session): only ' +
      'after the password matched, so it tells nothing to whoever does not know it.',
    security: [],
  },
  body: {
    fields: requestFields<{ email: string; password: string }>(
      {
        email: ['email', EmailField],
        password: [
          'password',
          stringField({ description: "The account's password. The policy is not applied at log-in, so raising it locks nobody out." }),
        ],
      },
      { id: 'Credentials' },
    ),
    description: "The account's email and password.",
    examples: { credentials: { summary: 'Credentials', value: { email: 'bob@example.com', password: 'correct horse' } } },
  },
  responses: {
    200: jsonResponse(
      'Logged in. The session token is in the `session_id` cookie only, never in the body.',
      z.object({ email: Email, message: z.literal(LOGGED_IN) }).meta({ id: 'LoggedIn' }),
      { loggedIn: { summary: 'Logged in', value: { email: 'bob@example.com', message: LOGGED_IN } } },
      { 'Set-Cookie': SessionCookieHeader },
    ),
    401: errorResponse('Wrong email or password: the same answer for both.', [
      ['invalidCredentials', 'Wrong email or password', 'invalid_credentials'],
    ]),
    403: errorResponse(
      'The password is right, but `EMAIL_VERIFICATION=required` and the address is not verified yet; or a cross-site request.',
      [['emailNotVerified', 'Address not verified', 'email_not_verified'], ERROR_EXAMPLES.crossSite],
    ),
    429: SHARED_RESPONSES.tooManyRequests,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, input, { useCases, cookie }) {
    const { email, sessionToken } = await useCases.logIn.execute({
      ...input,
      clientAddress: ctx.ip,
      userAgent: ctx.get('User-Agent'),
      signal: clientGoneSignal(ctx),
    });
    setSessionCookie(ctx, sessionToken, cookie);
    ctx.body = { email, message: LOGGED_IN };
  },
});

const logOut = route({
  method: 'delete',
  path: '/sessions',
  doc: {
    operationId: 'logOut',
    tags: ['sessions'],
    summary: 'Log out',
    description:
      'Ends the session of the `session_id` cookie (only that one: other devices stay logged in), clears the cookie and redirects ' +
      'to `/`. A refused log-out (no valid session, or a cross-site request) changes nothing.',
    security: [{ sessionCookie: [] }],
  },
  responses: {
    302: jsonResponse(
      'Logged out: the session is ended, the cookie cleared, and the client redirected to `/`.',
      messageBody(LOGGED_OUT).meta({ id: 'LoggedOut' }),
      { loggedOut: { summary: 'Logged out', value: { message: LOGGED_OUT } } },
      { Location: LocationHeader, 'Set-Cookie': ClearedSessionCookieHeader },
    ),
    403: SHARED_RESPONSES.invalidSessionOrCrossSite,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, _input, { useCases, cookie }) {
    await useCases.logOut.execute({ sessionToken: readSessionToken(ctx) });
    clearSessionCookie(ctx, cookie);
    ctx.redirect(WELCOME_PATH);
    ctx.body = { message: LOGGED_OUT };
  },
});

// Date.prototype.toISOString's shape exactly: ISO 8601 in UTC, to the millisecond.
const Instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  .meta({ example: '2026-12-02T09:30:00.000Z' });
const SessionListed = z
  .object({
    id: z.string().min(1).meta({
      description:
        "The session's public handle, for `DELETE /sessions/{id}`: random, neither its token nor the token's digest; it gives no access.",
      example: 'Yk3cQ1x0v9N8m7L6k5J4h3G2f1E0d9C8b7A6z5Y4x3W',
    }),
    created_at: Instant.meta({ description: 'The log-in that started it (ISO 8601, UTC).' }),
    last_seen_at: Instant.meta({ description: 'Its last use, recorded at most once a minute.' }),
    expires_at: Instant.meta({
      description:
        'When it ends unless used again: the absolute end (`SESSION_TTL` from the log-in) or the idle timeout (`SESSION_IDLE_TTL` from its last use), whichever is first.',
    }),
    current: z.boolean().meta({ description: "Whether it is this request's session." }),
    user_agent: z
      .string()
      .max(USER_AGENT_MAX_LENGTH)
      .nullable()
      .meta({ description: `The User-Agent of the log-in, cut to ${USER_AGENT_MAX_LENGTH} characters; null when none was sent.` }),
    address: z
      .string()
      .nullable()
      .meta({ description: 'The client address of the log-in as the service saw it (behind a trusted proxy: per `TRUST_PROXY`).' }),
  })
  .meta({ id: 'Session' });

function shown(session: SessionView) {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    last_seen_at: session.lastSeenAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    current: session.current,
    user_agent: session.userAgent,
    address: session.address,
  };
}

const listSessions = route({
  method: 'get',
  path: '/sessions',
  doc: {
    operationId: 'listSessions',
    tags: ['sessions'],
    summary: "List the logged-in user's sessions",
    description: "Every live session of the user (each device logged in), newest first, the request's own marked `current`.",
    security: [{ sessionCookie: [] }],
  },
  responses: {
    200: jsonResponse('The live sessions, newest first.', z.object({ sessions: z.array(SessionListed) }).meta({ id: 'Sessions' }), {
      sessions: {
        summary: 'Two devices',
        value: {
          sessions: [
            {
              id: 'Yk3cQ1x0v9N8m7L6k5J4h3G2f1E0d9C8b7A6z5Y4x3W',
              created_at: '2026-12-02T09:30:00.000Z',
              last_seen_at: '2026-12-02T09:41:00.000Z',
              expires_at: '2026-12-03T09:41:00.000Z',
              current: true,
              user_agent: 'curl/7.88.1',
              address: '127.0.0.1',
            },
            {
              id: 'pQ9rS8tU7vW6xY5zA4bC3dE2fG1hI0jK9lM8nO7pQ6r',
              created_at: '2026-11-30T18:02:00.000Z',
              last_seen_at: '2026-12-01T20:15:00.000Z',
              expires_at: '2026-12-02T20:15:00.000Z',
              current: false,
              user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
              address: '203.0.113.7',
            },
          ],
        },
      },
    }),
    403: SHARED_RESPONSES.invalidSession,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, _input, { useCases }) {
    const sessions = await useCases.listSessions.execute({ sessionToken: readSessionToken(ctx) });
    ctx.body = { sessions: sessions.map(shown) };
  },
});

// Before `/sessions/{id}`: the router tries routes in this order, and `others` is no handle.
const endOtherSessions = route({
  method: 'delete',
  path: '/sessions/others',
  doc: {
    operationId: 'endOtherSessions',
    tags: ['sessions'],
    summary: 'Log out everywhere else',
    description: 'Ends every other live session of the user; the one of this request stays. Answers how many it ended.',
    security: [{ sessionCookie: [] }],
  },
  responses: {
    200: jsonResponse(
      'The other sessions ended.',
      z.object({ ended: z.int().min(0).meta({ description: 'How many sessions this request ended.' }) }).meta({ id: 'SessionsEnded' }),
      { ended: { summary: 'Two other devices logged out', value: { ended: 2 } } },
    ),
    403: SHARED_RESPONSES.invalidSessionOrCrossSite,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, _input, { useCases }) {
    ctx.body = await useCases.endOtherSessions.execute({ sessionToken: readSessionToken(ctx) });
  },
});

const endSession = route({
  method: 'delete',
  path: '/sessions/{id}',
  doc: {
    operationId: 'endSession',
    tags: ['sessions'],
    summary: 'End one of your sessions',
    description:
      'Ends the session with this handle (from `GET /sessions`), if it is one of the live sessions of the logged-in user; ' +
      "when it is the request's own, the cookie is cleared too. Any other handle, another user's included, gets the same 404.",
    security: [{ sessionCookie: [] }],
  },
  pathParameters: z.object({ id: z.string().meta({ description: "The session's handle, as `GET /sessions` lists it." }) }),
  responses: {
    200: jsonResponse(
      "The session ended. When it was this request's own, the answer clears the cookie as well.",
      messageBody(SESSION_ENDED).meta({ id: 'SessionEnded' }),
      { ended: { summary: 'Ended', value: { message: SESSION_ENDED } } },
      { 'Set-Cookie': ClearedSessionCookieHeader.optional() },
    ),
    403: SHARED_RESPONSES.invalidSessionOrCrossSite,
    404: errorResponse("Not one of the user's live sessions: the same whether it is someone else's, ended, or unknown.", [
      ['sessionNotFound', 'No such session', 'session_not_found'],
    ]),
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, _input, { useCases, cookie }) {
    const { wasCurrent } = await useCases.endSession.execute({ sessionToken: readSessionToken(ctx), sessionId: pathParameter(ctx, 'id') });
    if (wasCurrent) clearSessionCookie(ctx, cookie);
    ctx.body = { message: SESSION_ENDED };
  },
});

export const SESSION_ROUTES = [logIn, logOut, listSessions, endOtherSessions, endSession];
