import type { Middleware } from 'koa';
import { CataloguedHttpError } from './error-catalogue.js';

/**
 * For the state-changing routes: refuses a request a browser sent from another site. Browsers put an
 * Origin header on every cross-site POST, PUT and DELETE; clients that are not browsers send none and
 * are let through, since the session cookie is the only credential a forged request could ride on.
 */
export function requireSameOrigin(allowedOrigins: readonly string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  return async (ctx, next) => {
    const origin = ctx.req.headers.origin;
    // Not ctx.origin: in Koa 3 that is the request's Origin header itself, not the service's origin.
    if (origin !== undefined && origin !== '' && origin !== `${ctx.protocol}://${ctx.host}` && !allowed.has(origin)) {
      throw new CataloguedHttpError('cross_site_refused');
    }
    await next();
  };
}
