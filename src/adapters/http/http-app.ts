import Koa from 'koa';
import Router from '@koa/router';
import type { GetProfile } from '../../domain/use-cases/get-profile.js';
import type { LogIn } from '../../domain/use-cases/log-in.js';
import type { LogOut } from '../../domain/use-cases/log-out.js';
import type { RegisterUser } from '../../domain/use-cases/register-user.js';
import type { RequestPasswordReset } from '../../domain/use-cases/request-password-reset.js';
import type { ResetPassword } from '../../domain/use-cases/reset-password.js';
import { clientGoneSignal } from './client-gone.js';
import { ERROR_CATALOGUE, errorBody } from './error-catalogue.js';
import type { ErrorLogger } from './error-responses.js';
import { requireSameOrigin } from './origin-check.js';
import { parseRequestBody, stringField } from './request-body.js';
import { requestEnvelope } from './request-envelope.js';
import type { RequestLogger } from './request-log.js';
import { clearSessionCookie, readSessionToken, setSessionCookie } from './session-cookie.js';
import openApiDocument from './openapi.json' with { type: 'json' };

export interface HttpUseCases {
  readonly registerUser: RegisterUser;
  readonly logIn: LogIn;
  readonly logOut: LogOut;
  readonly getProfile: GetProfile;
  readonly requestPasswordReset: RequestPasswordReset;
  readonly resetPassword: ResetPassword;
}

export interface HttpAppOptions {
  readonly cookieSecure: boolean;
  readonly sessionTtlSeconds: number;
  readonly bodyLimitBytes: number;
  /** Honour X-Forwarded-For and X-Forwarded-Proto/Host (Koa's app.proxy): only behind a proxy that sets them. */
  readonly trustProxy: boolean;
  /**
   * How many of our proxies append to X-Forwarded-For: the client address is the entry this many from
   * the right (Koa's maxIpsCount), never one the client wrote itself further left.
   */
  readonly trustProxyHops: number;
  readonly allowedOrigins: readonly string[];
  readonly logger: ErrorLogger;
  /** Writes the one log line of each request. */
  readonly logRequest: RequestLogger;
  /** Resolves when the service can serve (its store answers); rejects, saying why, when not. */
  readonly readiness: () => Promise<void>;
}

/** The seed service's HTTP contract on Koa. Routes only translate; every rule lives in a use case. */
export function createHttpApp(useCases: HttpUseCases, options: HttpAppOptions): Koa {
  const app = new Koa({ proxy: options.trustProxy, maxIpsCount: options.trustProxyHops });
  const router = new Router();
  const body = parseRequestBody(options.bodyLimitBytes);
  const sameOrigin = requireSameOrigin(options.allowedOrigins);
  const cookie = { secure: options.cookieSecure, maxAgeSeconds: options.sessionTtlSeconds };

  router.get('/', (ctx) => {
    ctx.body = { message: 'Bienvenue' };
  });

  // Liveness: the process is up and its event loop turns. Never touches the store.
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  // Readiness: the store answers. A load balancer stops sending traffic while this is a 503.
  router.get('/readyz', async (ctx) => {
    try {
      await options.readiness();
      ctx.body = { status: 'ready' };
    } catch {
      const notReady = ERROR_CATALOGUE.not_ready;
      ctx.status = notReady.status;
      ctx.body = errorBody('not_ready');
      if (notReady.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(notReady.retryAfterSeconds));
    }
  });

  // The API's OpenAPI 3.1 document, as kept next to this file (loaded once, with the module).
  router.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument;
  });

  router.post('/users', sameOrigin, body, async (ctx) => {
    const form = ctx.request.body;
    const { email } = await useCases.registerUser.execute({
      email: stringField(form, 'email'),
      password: stringField(form, 'password'),
      clientAddress: ctx.ip,
      signal: clientGoneSignal(ctx),
    });
    ctx.body = { email, message: 'user created' };
  });

  router.post('/sessions', sameOrigin, body, async (ctx) => {
    const form = ctx.request.body;
    const { email, sessionToken } = await useCases.logIn.execute({
      email: stringField(form, 'email'),
      password: stringField(form, 'password'),
      clientAddress: ctx.ip,
      signal: clientGoneSignal(ctx),
    });
    setSessionCookie(ctx, sessionToken, cookie);
    ctx.body = { email, message: 'logged in' };
  });

  router.delete('/sessions', sameOrigin, async (ctx) => {
    await useCases.logOut.execute({ sessionToken: readSessionToken(ctx) });
    clearSessionCookie(ctx, cookie);
    ctx.redirect('/');
    ctx.body = { message: 'logged out' };
  });

  router.get('/profile', async (ctx) => {
    const { email } = await useCases.getProfile.execute({ sessionToken: readSessionToken(ctx) });
    ctx.body = { email };
  });

  router.post('/reset_password', sameOrigin, body, async (ctx) => {
    const result = await useCases.requestPasswordReset.execute({
      email: stringField(ctx.request.body, 'email'),
      clientAddress: ctx.ip,
    });
    ctx.body =
      result.resetToken === undefined
        ? { email: result.email, message: 'reset instructions sent' }
        : { email: result.email, reset_token: result.resetToken };
  });

  router.put('/reset_password', sameOrigin, body, async (ctx) => {
    const form = ctx.request.body;
    const { email } = await useCases.resetPassword.execute({
      email: stringField(form, 'email'),
      resetToken: stringField(form, 'reset_token'),
      newPassword: stringField(form, 'new_password'),
      clientAddress: ctx.ip,
      signal: clientGoneSignal(ctx),
    });
    ctx.body = { email, message: 'Password updated' };
  });

  app.use(
    requestEnvelope({ https: options.cookieSecure, trustProxy: options.trustProxy, logger: options.logger, logRequest: options.logRequest }),
  );
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
