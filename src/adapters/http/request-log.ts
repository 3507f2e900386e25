import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';

/** What the request log records of one request: nothing the client sent but its method. */
export interface RequestLogEntry {
  readonly requestId: string;
  readonly method: string;
  /** The matched route pattern, or null: never the URL, which may carry anything. */
  readonly route: string | null;
  readonly status: number;
  readonly durationMs: number;
}

export type RequestLogger = (entry: RequestLogEntry) => void;

// What a proxy's request id may look like to be adopted: nothing that could forge a log line.
const FORWARDED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: a trusted proxy's X-Request-Id when well-formed, else a fresh UUID; sent back as X-Request-Id. */
export function assignRequestId(ctx: Context, trustProxy: boolean): string {
  const forwarded = trustProxy ? ctx.get('X-Request-Id') : '';
  const requestId = FORWARDED_ID.test(forwarded) ? forwarded : randomUUID();
  ctx.res.setHeader('X-Request-Id', requestId);
  return requestId;
}

export function requestLogEntry(ctx: Context, requestId: string, startedMs: number, nowMs: number): RequestLogEntry {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return {
    requestId,
    method: ctx.method,
    route: typeof route === 'string' ? route : null,
    status: ctx.status,
    durationMs: Math.round((nowMs - startedMs) * 10) / 10,
  };
}
