import { z } from 'zod';
import { clientGoneSignal } from '../client-gone.js';
import { ERROR_EXAMPLES, errorResponse, jsonResponse, SHARED_RESPONSES } from '../openapi-responses.js';
import { Email, EmailField, NewPassword, SECRET_TOKEN_EXAMPLE, tokenIssuedBody } from '../openapi-schemas.js';
import { requestFields, stringField } from '../request-fields.js';
import { requestLanguages } from '../request-languages.js';
import { route } from './route.js';

const INSTRUCTIONS_SENT = 'reset instructions sent';
const UPDATED = 'Password updated';

const ResetIssued = tokenIssuedBody({
  tokenField: 'reset_token',
  sentMessage: INSTRUCTIONS_SENT,
  ids: ['ResetTokenIssued', 'ResetInstructionsSent'],
});

const requestReset = route({
  method: 'post',
  path: '/reset_password',
  doc: {
    operationId: 'requestPasswordReset',
    tags: ['password reset'],
    summary: 'Request a password reset token',
    description:
      'Issues a reset token for the account (256 random bits, stored as a digest, valid for `RESET_TOKEN_TTL`, 30 minutes by ' +
      'default); a newer token supersedes the older one. How the token reaches its owner depends on `RESET_TOKEN_DELIVERY`: with ' +
      '`response` (the default, as the seed does) it is in the answer, which is only suitable behind a trusted front end; with ' +
      '`email` it is sent to the address and the answer only says so. Rate-limited per client address and per account.',
    security: [],
  },
  body: {
    fields: requestFields<{ email: string }>({ email: ['email', EmailField] }, { id: 'ResetRequest' }),
    description: "The account's email.",
    examples: { resetRequest: { summary: 'A reset request', value: { email: 'bob@example.com' } } },
  },
  responses: {
    200: jsonResponse(
      'A token was issued: in the body with `RESET_TOKEN_DELIVERY=response`, or sent by email with `RESET_TOKEN_DELIVERY=email`.',
      ResetIssued,
      {
        inResponse: { summary: 'RESET_TOKEN_DELIVERY=response', value: { email: 'bob@example.com', reset_token: SECRET_TOKEN_EXAMPLE } },
        byEmail: { summary: 'RESET_TOKEN_DELIVERY=email', value: { email: 'bob@example.com', message: INSTRUCTIONS_SENT } },
      },
    ),
    403: errorResponse('The email has no account (with `RESET_TOKEN_DELIVERY=response`), or a cross-site request.', [
      ['unknownEmail', 'No such account', 'unknown_email'],
      ERROR_EXAMPLES.crossSite,
    ]),
    429: SHARED_RESPONSES.tooManyRequests,
    503: SHARED_RESPONSES.storeOrDeliveryUnavailable,
  },
  async handle(ctx, input, { useCases }) {
    const result = await useCases.requestPasswordReset.execute({ ...input, clientAddress: ctx.ip, languages: requestLanguages(ctx) });
    ctx.body =
      result.resetToken === undefined
        ? { email: result.email, message: INSTRUCTIONS_SENT }
        : { email: result.email, reset_token: result.resetToken };
  },
});

const resetPassword = route({
  method: 'put',
  path: '/reset_password',
  doc: {
    operationId: 'resetPassword',
    tags: ['password reset'],
    summary: 'Set a new password with a reset token',
    description:
      'Spends the reset token (single use, atomically: of two concurrent uses exactly one succeeds) and sets the new password, ' +
      'which must follow the password policy. A policy failure is a 400 that leaves the token usable. A successful reset ends ' +
      'every session of the user. Rate-limited per client address and per account.',
    security: [],
  },
  body: {
    // The wire's names (reset_token, new_password) are the seed's; the use case has its own.
    fields: requestFields<{ email: string; resetToken: string; newPassword: string }>(
      {
        email: ['email', EmailField],
        resetToken: ['reset_token', stringField({ description: 'The token `POST /reset_password` issued for this email.' })],
        newPassword: ['new_password', NewPassword],
      },
      { id: 'PasswordReset' },
    ),
    description: 'The email, its reset token and the new password.',
    examples: {
      reset: { summary: 'A reset', value: { email: 'bob@example.com', reset_token: SECRET_TOKEN_EXAMPLE, new_password: 'battery staple' } },
    },
  },
  responses: {
    200: jsonResponse(
      'The password was changed and every session of the user ended.',
      z.object({ email: Email, message: z.literal(UPDATED) }).meta({ id: 'PasswordUpdated' }),
      { updated: { summary: 'Updated', value: { email: 'bob@example.com', message: UPDATED } } },
    ),
    403: errorResponse("The token is wrong, expired, already used, superseded or another account's (all alike), or a cross-site request.", [
      ['invalidToken', 'Invalid token', 'invalid_reset_token'],
      ERROR_EXAMPLES.crossSite,
    ]),
    429: SHARED_RESPONSES.tooManyRequests,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, input, { useCases }) {
    const { email } = await useCases.resetPassword.execute({
      ...input,
      clientAddress: ctx.ip,
      signal: clientGoneSignal(ctx),
      languages: requestLanguages(ctx),
    });
    ctx.body = { email, message: UPDATED };
  },
});

export const RESET_PASSWORD_ROUTES = [requestReset, resetPassword];
