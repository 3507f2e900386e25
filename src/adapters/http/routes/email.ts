import { z } from 'zod';
import { clientGoneSignal } from '../client-gone.js';
import { ERROR_EXAMPLES, errorResponse, jsonResponse, SHARED_RESPONSES } from '../openapi-responses.js';
import { Email, EmailField, SECRET_TOKEN_EXAMPLE, tokenIssuedBody } from '../openapi-schemas.js';
import { requestFields, stringField } from '../request-fields.js';
import { requestLanguages } from '../request-languages.js';
import { readSessionToken } from '../session-cookie.js';
import { route } from './route.js';

const SENT = 'verification sent';
const VERIFIED = 'Email verified';

const VerificationIssued = tokenIssuedBody({
  tokenField: 'verification_token',
  sentMessage: SENT,
  ids: ['VerificationTokenIssued', 'VerificationSent'],
});

/** The answer of a request that issued (or, by email, sent) a verification token for `email`. */
function issued(email: string, verificationToken: string | undefined) {
  return verificationToken === undefined ? { email, message: SENT } : { email, verification_token: verificationToken };
}

const issuedExamples = (email: string) => ({
  inResponse: { summary: 'RESET_TOKEN_DELIVERY=response', value: { email, verification_token: SECRET_TOKEN_EXAMPLE } },
  byEmail: { summary: 'RESET_TOKEN_DELIVERY=email', value: { email, message: SENT } },
});

const requestVerification = route({
  method: 'post',
  path: '/email_verification',
  doc: {
    operationId: 'requestEmailVerification',
    tags: ['email addresses'],
    summary: "Request a token that verifies an account's address",
    description:
      'Issues a verification token for the account with this address (256 random bits, stored as a digest, valid for ' +
      '`VERIFICATION_TOKEN_TTL`, 24 hours by default); a newer token supersedes the older one. With `RESET_TOKEN_DELIVERY=response` ' +
      '(the default) the token is in the answer, and an address without an account is refused; with `email` a link to `VERIFY_URL` ' +
      'is sent, and every address, known or not, verified or not, gets the same answer. Rate-limited per client address and per account.',
    security: [],
  },
  body: {
    fields: requestFields<{ email: string }>({ email: ['email', EmailField] }, { id: 'VerificationRequest' }),
    description: "The account's email.",
    examples: { request: { summary: 'A verification request', value: { email: 'bob@example.com' } } },
  },
  responses: {
    200: jsonResponse(
      'A token was issued: in the body with `RESET_TOKEN_DELIVERY=response`, or sent by email with `RESET_TOKEN_DELIVERY=email`.',
      VerificationIssued,
      issuedExamples('bob@example.com'),
    ),
    403: errorResponse('The email has no account (with `RESET_TOKEN_DELIVERY=response`), or a cross-site request.', [
      ['unknownEmail', 'No such account', 'unknown_email'],
      ERROR_EXAMPLES.crossSite,
    ]),
    429: SHARED_RESPONSES.tooManyRequests,
    503: SHARED_RESPONSES.storeOrDeliveryUnavailable,
  },
  async handle(ctx, input, { useCases }) {
    const result = await useCases.requestEmailVerification.execute({ ...input, clientAddress: ctx.ip, languages: requestLanguages(ctx) });
    ctx.body = issued(result.email, result.verificationToken);
  },
});

const verify = route({
  method: 'put',
  path: '/email_verification',
  doc: {
    operationId: 'verifyEmail',
    tags: ['email addresses'],
    summary: 'Spend a verification or email-change token',
    description:
      'Spends the token sent to `email` (single use, atomically: of two concurrent uses exactly one succeeds). A verification token ' +
      "marks the account's address as verified. An email-change token (from `PUT /email`) makes `email` the account's address, " +
      'verified: every session but the one that asked for the change ends, reset tokens sent to the old address are void, and the ' +
      'old address is told (with `email` delivery). Rate-limited per client address and per account.',
    security: [],
  },
  body: {
    fields: requestFields<{ email: string; verificationToken: string }>(
      {
        email: ['email', EmailField],
        verificationToken: [
          'verification_token',
          stringField({ description: 'The token `POST /email_verification` or `PUT /email` issued for this address.' }),
        ],
      },
      { id: 'EmailVerification' },
    ),
    description: 'The address the token was sent to, and the token.',
    examples: {
      verification: { summary: 'A verification', value: { email: 'bob@example.com', verification_token: SECRET_TOKEN_EXAMPLE } },
    },
  },
  responses: {
    200: jsonResponse(
      "The address is verified (and, for an email change, now the account's).",
      z.object({ email: Email, message: z.literal(VERIFIED) }).meta({ id: 'EmailVerified' }),
      { verified: { summary: 'Verified', value: { email: 'bob@example.com', message: VERIFIED } } },
    ),
    403: errorResponse(
      "The token is wrong, expired, already used, superseded or another address's (all alike), or the address was taken by another " +
        'account meanwhile, or a cross-site request.',
      [['invalidToken', 'Invalid token', 'invalid_verification_token'], ERROR_EXAMPLES.crossSite],
    ),
    429: SHARED_RESPONSES.tooManyRequests,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, input, { useCases }) {
    const { email } = await useCases.verifyEmail.execute({ ...input, clientAddress: ctx.ip, languages: requestLanguages(ctx) });
    ctx.body = { email, message: VERIFIED };
  },
});

const changeEmail = route({
  method: 'put',
  path: '/email',
  doc: {
    operationId: 'changeEmail',
    tags: ['email addresses'],
    summary: 'Ask to move the account of the logged-in user to another address',
    description:
      'Checks the password (counted like a log-in, under the same rate limits, after the same bcrypt work) and issues a token for ' +
      'the new address, like `POST /email_verification`. The account keeps its address until `PUT /email_verification` is called ' +
      'with the new address and that token; a newer request supersedes the older one, and a password reset or change cancels it. ' +
      "An address another account has gets the same answer, changes nothing, and (with `email` delivery) tells that account's owner.",
    security: [{ sessionCookie: [] }],
  },
  body: {
    fields: requestFields<{ password: string; newEmail: string }>(
      {
        password: ['password', stringField({ description: "The account's password, to confirm." })],
        newEmail: ['new_email', EmailField],
      },
      { id: 'EmailChange' },
    ),
    description: "The account's password and the new address.",
    examples: { change: { summary: 'A change', value: { password: 'correct horse', new_email: 'robert@example.com' } } },
  },
  responses: {
    200: jsonResponse(
      'A token for the new address was issued: in the body with `RESET_TOKEN_DELIVERY=response`, or sent to it by email.',
      VerificationIssued,
      issuedExamples('robert@example.com'),
    ),
    401: errorResponse('The password is wrong.', [ERROR_EXAMPLES.wrongPassword]),
    403: SHARED_RESPONSES.invalidSessionOrCrossSite,
    429: SHARED_RESPONSES.tooManyRequests,
    503: SHARED_RESPONSES.storeOrDeliveryUnavailable,
  },
  async handle(ctx, input, { useCases }) {
    const result = await useCases.changeEmail.execute({
      ...input,
      sessionToken: readSessionToken(ctx),
      clientAddress: ctx.ip,
      signal: clientGoneSignal(ctx),
      languages: requestLanguages(ctx),
    });
    ctx.body = issued(result.email, result.verificationToken);
  },
});

export const EMAIL_ROUTES = [requestVerification, verify, changeEmail];
