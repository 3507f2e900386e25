import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

/**
 * Headers for a JSON API that serves sessions and tokens, on every response, errors included:
 * helmet's set with a policy that allows nothing to load or frame, no referrer, and no caching anywhere
 * (most responses carry a session, a token or an account's email).
 */
export function securityHeaders(options: { readonly https: boolean }): Middleware {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // Strict-Transport-Security means something only when clients reach the service over HTTPS.
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  return async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await headers(ctx, next);
  };
}
