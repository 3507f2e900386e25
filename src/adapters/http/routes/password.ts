import { z } from 'zod';
import { clientGoneSignal } from '../client-gone.js';
import { ERROR_EXAMPLES, errorResponse, jsonResponse, SHARED_RESPONSES } from '../openapi-responses.js';
import { Email, NewPassword, SessionCookieHeader } from '../openapi-schemas.js';
import { requestFields, stringField } from '../request-fields.js';
import { requestLanguages } from '../request-languages.js';
import { readSessionToken, setSessionCookie } from '../session-cookie.js';
import { route } from './route.js';

const UPDATED = 'Password updated';

const changePassword = route({
  method: 'put',
  path: '/password',
  doc: {
    operationId: 'changePassword',
    tags: ['accounts'],
    summary: 'Change the password of the logged-in user',
    description:
      'Checks the current password (counted like a log-in, under the same rate limits, after the same bcrypt work) and sets the ' +
      'new one, which must follow the password policy. Every session of the user ends, the one used included, any reset token is ' +
      'cleared, and the answer sets a fresh `session_id` cookie for the new password. A refused change changes nothing.',
    security: [{ sessionCookie: [] }],
  },
  body: {
    fields: requestFields<{ currentPassword: string; newPassword: string }>(
      {
        currentPassword: ['current_password', stringField({ description: "The account's password as it is now." })],
        newPassword: ['new_password', NewPassword],
      },
      { id: 'PasswordChange' },
    ),
    description: 'The current password and the new one.',
    examples: { change: { summary: 'A change', value: { current_password: 'correct horse', new_password: 'battery staple' } } },
  },
  responses: {
    200: jsonResponse(
      'The password was changed: every session of the user ended, and the `session_id` cookie holds a new one.',
      z.object({ email: Email, message: z.literal(UPDATED) }).meta({ id: 'PasswordChanged' }),
      { changed: { summary: 'Changed', value: { email: 'bob@example.com', message: UPDATED } } },
      { 'Set-Cookie': SessionCookieHeader },
    ),
    401: errorResponse('The current password is wrong.', [ERROR_EXAMPLES.wrongPassword]),
    403: SHARED_RESPONSES.invalidSessionOrCrossSite,
    429: SHARED_RESPONSES.tooManyRequests,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, input, { useCases, cookie }) {
    const { email, sessionToken } = await useCases.changePassword.execute({
      ...input,
      sessionToken: readSessionToken(ctx),
      clientAddress: ctx.ip,
      userAgent: ctx.get('User-Agent'),
      signal: clientGoneSignal(ctx),
      languages: requestLanguages(ctx),
    });
    setSessionCookie(ctx, sessionToken, cookie);
    ctx.body = { email, message: UPDATED };
  },
});

export const PASSWORD_ROUTES = [changePassword];
