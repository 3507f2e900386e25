import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Container } from 'inversify';
import type Koa from 'koa';
import { createHttpApp } from '../adapters/http/http-app.js';
import { BODY_LIMIT_BYTES } from '../adapters/http/request-body.js';
import { connectRequestHandler, unparsableRequestHandler, type AnswersOwed } from '../adapters/http/unparsable-request.js';
import { requestLineWriter } from './logger.js';
import { resolveUseCases } from './container.js';
import { TOKENS } from './tokens.js';

/** Builds the Koa app from the container once: no container look-ups happen per request. */
export function buildHttpApp(container: Container): Koa {
  const config = container.get(TOKENS.Config);
  const store = container.get(TOKENS.Store);
  const logger = container.get(TOKENS.Logger);
  return createHttpApp(resolveUseCases(container), {
    cookieSecure: config.cookieSecure,
    sessionTtlSeconds: config.sessionTtlSeconds,
    bodyLimitBytes: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    trustProxyHops: config.trustProxyHops,
    allowedOrigins: config.allowedOrigins,
    logger,
    logRequest: requestLineWriter(logger),
    readiness: () => store.ping(),
  });
}

interface CloseResult {
  /** Requests still unanswered when the timeout cut their connections. */
  readonly cutRequests: number;
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  /**
   * Graceful stop: stops accepting connections at once, lets the requests in flight finish (each is
   * answered with `Connection: close`, and every keep-alive connection is closed as soon as it is
   * idle), and after `timeoutMs` cuts whatever connections remain. Resolves once every connection is
   * gone; calling it again returns the same promise.
   */
  close(timeoutMs: number): Promise<CloseResult>;
}

export async function listen(
  app: Koa,
  host: string,
  port: number,
  options: { readonly https: boolean } = { https: false },
): Promise<RunningServer> {
  const handle = app.callback();
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<CloseResult> | undefined;

  // Koa's handler answers its own errors; nothing is left for the returned promise to report.
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight.add(res);
    // A request that arrives on an open connection while closing is still served, but is the last one.
    if (closing !== undefined) res.shouldKeepAlive = false;
    res.once('close', () => {
      inFlight.delete(res);
      // The connection has just become idle (if kept alive): during a shutdown it must not linger until
      // the keep-alive timeout. Connections with a request still unanswered are left alone.
      if (closing !== undefined) server.closeIdleConnections();
    });
    void handle(req, res);
  };
  // The responses in flight on one connection (pipelined requests), found when Node reports it bad:
  // rare enough that a search beats bookkeeping on every request. A queued response has no socket
  // yet; its request has.
  const onSocket = (socket: Duplex): ServerResponse[] => [...inFlight].filter((res) => res.req.socket === socket);
  const answersOwed: AnswersOwed = async (socket) => {
    // Owed: the answers to requests received in full, and any already written, waiting in Node's queue.
    // Not the request the error is in (its body broke off): it will never be complete.
    const owed = onSocket(socket).filter((res) => res.req.complete || res.writableEnded);
    await Promise.all(owed.map((res) => new Promise((resolve) => res.once('close', resolve))));
    return onSocket(socket).every((res) => !res.headersSent);
  };
  // Host is checked in the request envelope, so that its 400 is in JSON like every other error.
  const server = createServer({ requireHostHeader: false }, serve);
  // An Expect other than 100-continue: serve the request as if it were absent (RFC 9110 allows it),
  // rather than Node's bare 417.
  server.on('checkExpectation', serve);
  server.on('clientError', unparsableRequestHandler(options.https, answersOwed));
  server.on('connect', connectRequestHandler(options.https, answersOwed));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const close = (timeoutMs: number): Promise<CloseResult> =>
    new Promise<CloseResult>((resolve) => {
      let cutRequests = 0;
      const deadline = setTimeout(() => {
        cutRequests = inFlight.size;
        server.closeAllConnections();
      }, timeoutMs);
      deadline.unref();
      // Answers not yet started say "Connection: close", so clients do not send another request on them.
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      // Stops listening; the callback runs once the last connection has closed.
      server.close(() => {
        clearTimeout(deadline);
        resolve({ cutRequests });
      });
      // Keep-alive connections waiting for a next request can go now.
      server.closeIdleConnections();
    });

  return {
    url: `http://${shownHost}:${address.port}`,
    server,
    close: (timeoutMs) => (closing ??= close(timeoutMs)),
  };
}
