import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Middleware } from 'koa';

export interface RequestLogger {
  info(details: object, message: string): void;
}

// What a proxy's request id may look like to be adopted: nothing that could forge a log line.
const FORWARDED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * One log line per request: its id (also sent back as X-Request-Id), method, route pattern, status and
 * duration. Never the URL, headers, cookies or body: the route pattern says what was asked without
 * repeating anything the client sent.
 */
export function requestLog(logger: RequestLogger, options: { readonly trustProxy: boolean }): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const forwarded = options.trustProxy ? ctx.get('X-Request-Id') : '';
    const requestId = FORWARDED_ID.test(forwarded) ? forwarded : randomUUID();
    ctx.state.requestId = requestId;
    ctx.res.setHeader('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      logger.info(
        {
          requestId,
          method: ctx.method,
          route: typeof route === 'string' ? route : null,
          status: ctx.status,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        },
        'request',
      );
    }
  };
}
