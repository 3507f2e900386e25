import { z } from 'zod';
import { clientGoneSignal } from '../client-gone.js';
import { errorResponse, jsonResponse, SHARED_RESPONSES } from '../openapi-responses.js';
import { ClearedSessionCookieHeader, Email, EmailField, messageBody, SessionCookieHeader } from '../openapi-schemas.js';
import { requestFields, stringField } from '../request-fields.js';
import { clearSessionCookie, readSessionToken, setSessionCookie } from '../session-cookie.js';
import { route } from './route.js';

const LOGGED_IN = 'logged in';
const LOGGED_OUT = 'logged out';
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
      'per account from all addresses (100 per hour); a successful log-in clears both counts.',
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
    429: SHARED_RESPONSES.tooManyRequests,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, input, { useCases, cookie }) {
    const { email, sessionToken } = await useCases.logIn.execute({ ...input, clientAddress: ctx.ip, signal: clientGoneSignal(ctx) });
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
    403: errorResponse('No valid session (none, unknown, expired or already ended), or a cross-site request.', [
      ['invalidSession', 'No valid session', 'invalid_session'],
      ['crossSite', 'From another site', 'cross_site_refused'],
    ]),
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, _input, { useCases, cookie }) {
    await useCases.logOut.execute({ sessionToken: readSessionToken(ctx) });
    clearSessionCookie(ctx, cookie);
    ctx.redirect(WELCOME_PATH);
    ctx.body = { message: LOGGED_OUT };
  },
});

export const SESSION_ROUTES = [logIn, logOut];
