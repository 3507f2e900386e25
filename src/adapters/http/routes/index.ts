import { EMAIL_ROUTES } from './email.js';
import { PASSWORD_ROUTES } from './password.js';
import { PROFILE_ROUTES } from './profile.js';
import { RESET_PASSWORD_ROUTES } from './reset-password.js';
import type { Route } from './route.js';
import { SERVICE_ROUTES } from './service.js';
import { SESSION_ROUTES } from './sessions.js';
import { USER_ROUTES } from './users.js';

/** Every route of the API: what the router serves (http-app.ts) and what the document describes (openapi-document.ts). */
export const ROUTES: readonly Route[] = [
  ...SERVICE_ROUTES,
  ...USER_ROUTES,
  ...SESSION_ROUTES,
  ...PROFILE_ROUTES,
  ...PASSWORD_ROUTES,
  ...RESET_PASSWORD_ROUTES,
  ...EMAIL_ROUTES,
] as readonly Route[];
