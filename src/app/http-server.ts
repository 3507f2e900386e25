import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container } from 'inversify';
import type Koa from 'koa';
import { createHttpApp } from '../adapters/http/http-app.js';
import { TOKENS } from './tokens.js';

// Small enough that a request body can never be a memory problem, large enough for any real form.
const BODY_LIMIT_BYTES = 16 * 1024;

/** Builds the Koa app from the container once: no container look-ups happen per request. */
export function buildHttpApp(container: Container): Koa {
  const config = container.get(TOKENS.Config);
  return createHttpApp(
    {
      registerUser: container.get(TOKENS.RegisterUser),
      logIn: container.get(TOKENS.LogIn),
      logOut: container.get(TOKENS.LogOut),
      getProfile: container.get(TOKENS.GetProfile),
      requestPasswordReset: container.get(TOKENS.RequestPasswordReset),
      resetPassword: container.get(TOKENS.ResetPassword),
    },
    {
      cookieSecure: config.cookieSecure,
      sessionTtlSeconds: config.sessionTtlSeconds,
      bodyLimitBytes: BODY_LIMIT_BYTES,
      trustProxy: config.trustProxy,
      allowedOrigins: config.allowedOrigins,
      logger: container.get(TOKENS.Logger),
    },
  );
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  /**
   * Stops accepting connections and waits for requests in flight; after `timeoutMs` the remaining
   * connections are cut. Resolves once the server is closed.
   */
  close(timeoutMs: number): Promise<void>;
}

export async function listen(app: Koa, host: string, port: number): Promise<RunningServer> {
  const handle = app.callback();
  // Koa's handler answers its own errors; nothing is left for the returned promise to report.
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    server,
    close: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
        deadline.unref();
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        // close() waits for keep-alive connections too; the idle ones can go now.
        server.closeIdleConnections();
      }),
  };
}
