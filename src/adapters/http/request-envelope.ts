import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Middleware } from 'koa';
import { CataloguedHttpError } from './error-catalogue.js';
import { completeBodilessResponse, respondWithError, type ErrorLogger } from './error-responses.js';
import { assignRequestId, requestLogEntry, type RequestLogger } from './request-log.js';
import { securityHeaders } from './security-headers.js';

export interface RequestEnvelopeOptions {
  readonly https: boolean;
  readonly trustProxy: boolean;
  readonly logger: ErrorLogger;
  readonly logRequest: RequestLogger;
}

/**
 * RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400 (HTTP/1.0 needs none). Checked here rather
 * than by Node (its requireHostHeader is off), whose 400 would have no body and none of our headers.
 */
function lacksRequiredHost(req: IncomingMessage): boolean {
  return req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1;
}

/**
 * The edge of every request, in one middleware rather than a layer each: a request id, the security
 * headers, every error turned into a JSON answer, and one log line. A session check does little else,
 * so each layer of Koa middleware would be a visible share of its cost.
 */
export function requestEnvelope(options: RequestEnvelopeOptions): Middleware {
  const headers = securityHeaders(options.https);
  return async (ctx, next) => {
    const started = performance.now();
    const requestId = assignRequestId(ctx, options.trustProxy);
    for (const [name, value] of headers) ctx.res.setHeader(name, value);
    try {
      if (lacksRequiredHost(ctx.req)) throw new CataloguedHttpError('missing_host');
      await next();
      completeBodilessResponse(ctx);
    } catch (error) {
      respondWithError(ctx, error, options.logger);
    }
    options.logRequest(requestLogEntry(ctx, requestId, started, performance.now()));
  };
}
