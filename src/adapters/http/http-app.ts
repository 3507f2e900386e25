import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import type { ErrorLogger } from './error-responses.js';
import { OPENAPI_DOCUMENT } from './openapi-document.js';
import { requireSameOrigin } from './origin-check.js';
import { parseRequestBody } from './request-body.js';
import { requestEnvelope } from './request-envelope.js';
import type { RequestLogger } from './request-log.js';
import { ROUTES } from './routes/index.js';
import { changesState, routerPath, type HttpUseCases, type Route, type RouteDependencies } from './routes/route.js';

export type { HttpUseCases } from './routes/route.js';

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

/**
 * A route's handler on the router: its body read through its fields (after the Origin check and the
 * body parser), and an InvalidInputError of the use case put back in the wire's words.
 */
function routeHandler(definition: Route, deps: RouteDependencies): Middleware {
  const { body } = definition;
  if (body === undefined) return async (ctx) => definition.handle(ctx, {}, deps);
  return async (ctx) => {
    const input = body.fields.parse(ctx.request.body);
    try {
      await definition.handle(ctx, input, deps);
    } catch (error) {
      throw body.fields.onWire(error);
    }
  };
}

/** The seed service's HTTP contract on Koa. Routes only translate; every rule lives in a use case. */
export function createHttpApp(useCases: HttpUseCases, options: HttpAppOptions): Koa {
  const app = new Koa({ proxy: options.trustProxy, maxIpsCount: options.trustProxyHops });
  const router = new Router();
  const body = parseRequestBody(options.bodyLimitBytes);
  const sameOrigin = requireSameOrigin(options.allowedOrigins);
  const deps: RouteDependencies = {
    useCases,
    cookie: { secure: options.cookieSecure, maxAgeSeconds: options.sessionTtlSeconds },
    readiness: options.readiness,
    openApiDocument: () => OPENAPI_DOCUMENT,
  };

  for (const definition of ROUTES) {
    const before = [...(changesState(definition) ? [sameOrigin] : []), ...(definition.body === undefined ? [] : [body])];
    router.register(routerPath(definition), [definition.method], [...before, routeHandler(definition, deps)]);
  }

  app.use(
    requestEnvelope({
      https: options.cookieSecure,
      trustProxy: options.trustProxy,
      logger: options.logger,
      logRequest: options.logRequest,
    }),
  );
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
