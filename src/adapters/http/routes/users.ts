import { z } from 'zod';
import { clientGoneSignal } from '../client-gone.js';
import { jsonResponse, SHARED_RESPONSES } from '../openapi-responses.js';
import { Email, EmailField, NewPassword } from '../openapi-schemas.js';
import { requestFields } from '../request-fields.js';
import { route } from './route.js';

const CREATED = 'user created';

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
      'the password policy (see the `password` field). Rate-limited per client address and per account.',
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
    const { email } = await useCases.registerUser.execute({ ...input, clientAddress: ctx.ip, signal: clientGoneSignal(ctx) });
    ctx.body = { email, message: CREATED };
  },
});

export const USER_ROUTES = [register];
