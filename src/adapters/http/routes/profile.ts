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
    description: "The email of the session's user. Not rate-limited.",
    security: [{ sessionCookie: [] }],
  },
  responses: {
    200: jsonResponse("The session's user.", z.object({ email: Email }).meta({ id: 'Profile' }), {
      profile: { summary: 'A profile', value: { email: 'bob@example.com' } },
    }),
    403: SHARED_RESPONSES.invalidSession,
    503: SHARED_RESPONSES.storeUnavailable,
  },
  async handle(ctx, _input, { useCases }) {
    const { email } = await useCases.getProfile.execute({ sessionToken: readSessionToken(ctx) });
    ctx.body = { email };
  },
});

export const PROFILE_ROUTES = [profile];
