import { z } from 'zod';
import { clientGoneSignal } from '../client-gone.js';
import { ERROR_EXAMPLES, errorResponse, jsonResponse, SHARED_RESPONSES } from '../openapi-responses.js';
import { ClearedSessionCookieHeader, Email, EmailField, messageBody, NewPassword } from '../openapi-schemas.js';
import { requestFields, stringField } from '../request-fields.js';
import { requestLanguages } from '../request-languages.js';
import { clearSessionCookie, readSessionToken } from '../session-cookie.js';
import { route } from './route.js';

const CREATED = 'user created';
const DELETED = 'account deleted';

const register = route({
  method: 'post',
  path: '/users',
  doc: {
    operationId: 'registerUser',
    tags: ['accounts'],
    summary: 'Register a user',
    description:
      "Creates an account. The email is trimmed and lower-cased, must have the HTML standard's email shape and at most 254 " +
      "characters, and is unique (the store's atomic insert decides between concurrent registrations). The password must follow " +
      'the password policy (see the `password` field). With `RESET_TOKEN_DELIVERY=response` an address already registered is a 400 ' +
      "`email_taken` (the seed's answer); with `email` it gets exactly the answer a new one gets, after the same work, and its owner " +
      'is told of the attempt. With `EMAIL_VERIFICATION` on and `email` delivery, a new account is mailed its verification link. ' +
      'Rate-limited per client address and per account.',
    security: [],
  },
  body: {
    fields: requestFields<{ email: string; password: string }>(
      { email: ['email', EmailField], password: ['password', NewPassword] },
      { id: 'Registration' },
    ),
    description: "The new account's email and password.",
    examples: { registration: { summary: 'A registration', value: { email: 'bob@example.com', password: 'correct horse' } } },
  },
  responses: {
    200: jsonResponse(
      'The account was created. `email` is the normalised email.',
      z.object({ email: Email, message: z.literal(CREATED) }).meta({ id: 'UserCreated' }),
      { created: { summary: 'Created', value: { email: 'bob@example.com', message: CREATED } } },
    ),
    429: SHARED_RESPONSES.tooManyRequests,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, input, { useCases }) {
    const { email } = await useCases.registerUser.execute({
      ...input,
      clientAddress: ctx.ip,
      signal: clientGoneSignal(ctx),
      languages: requestLanguages(ctx),
    });
    ctx.body = { email, message: CREATED };
  },
});

const deleteAccount = route({
  method: 'delete',
  path: '/users/me',
  doc: {
    operationId: 'deleteAccount',
    tags: ['accounts'],
    summary: 'Delete the account of the logged-in user',
    description:
      'Checks the password (counted like a log-in, under the same rate limits, after the same bcrypt work), then removes the user, ' +
      'every session, any reset token and the rate-limit counts that name the account; the email may be registered again. The answer ' +
      'clears the cookie. A refused deletion changes nothing.',
    security: [{ sessionCookie: [] }],
  },
  body: {
    fields: requestFields<{ password: string }>(
      { password: ['password', stringField({ description: "The account's password, to confirm." })] },
      { id: 'AccountDeletion' },
    ),
    description: "The account's password.",
    examples: { deletion: { summary: 'A deletion', value: { password: 'correct horse' } } },
  },
  responses: {
    200: jsonResponse(
      'The account is gone, and the cookie cleared.',
      messageBody(DELETED).meta({ id: 'AccountDeleted' }),
      { deleted: { summary: 'Deleted', value: { message: DELETED } } },
      { 'Set-Cookie': ClearedSessionCookieHeader },
    ),
    401: errorResponse('The password is wrong.', [ERROR_EXAMPLES.wrongPassword]),
    403: SHARED_RESPONSES.invalidSessionOrCrossSite,
    429: SHARED_RESPONSES.tooManyRequests,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, input, { useCases, cookie }) {
    await useCases.deleteAccount.execute({
      ...input,
      sessionToken: readSessionToken(ctx),
      clientAddress: ctx.ip,
      signal: clientGoneSignal(ctx),
      languages: requestLanguages(ctx),
    });
    clearSessionCookie(ctx, cookie);
    ctx.body = { message: DELETED };
  },
});

export const USER_ROUTES = [register, deleteAccount];
