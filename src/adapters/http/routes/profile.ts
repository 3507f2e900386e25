import { z } from 'zod';
import { jsonResponse, SHARED_RESPONSES } from '../openapi-responses.js';
import { Email } from '../openapi-schemas.js';
import { readSessionToken } from '../session-cookie.js';
import { route } from './route.js';

const profile = route({
  method: 'get',
  path: '/profile',
  doc: {
    operationId: 'getProfile',
    tags: ['accounts'],
    summary: 'Profile of the logged-in user',
    description:
      "The email of the session's user, and whether its owner has verified it (`email_verified`, an extra key the seed's clients " +
      'ignore). Not rate-limited.',
    security: [{ sessionCookie: [] }],
  },
  responses: {
    200: jsonResponse("The session's user.", z.object({ email: Email, email_verified: z.boolean() }).meta({ id: 'Profile' }), {
      profile: { summary: 'A profile', value: { email: 'bob@example.com', email_verified: false } },
    }),
    403: SHARED_RESPONSES.invalidSession,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, _input, { useCases }) {
    const { email, emailVerified } = await useCases.getProfile.execute({ sessionToken: readSessionToken(ctx) });
    ctx.body = { email, email_verified: emailVerified };
  },
});

export const PROFILE_ROUTES = [profile];
