import type { Container } from 'inversify';
import { StoreUnreachableError } from '../adapters/stores/store.js';
import { ConfigError, loadConfig, redactedConfig, type Config } from './config.js';
import { createContainer, disposeContainer } from './container.js';
import { buildHttpApp, listen, type RunningServer } from './http-server.js';
import { createLogger, type Logger } from './logger.js';

/**
 * A bug that escaped every handler leaves the process in an unknown state: log one fatal line and exit 1,
 * so that the supervisor (systemd, Kubernetes, …) starts a fresh one.
 */
function exitOnCrash(logger: Logger): void {
  const crash = (event: string) => (error: unknown) => {
    logger.fatal({ event, error }, `crashed on an ${event}: exiting with code 1`);
    process.exit(1);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));
}

/**
 * Why the listener could not be opened, as one line for the operator: the variable to fix, or which
 * address is taken. Undefined for anything else (a bug), which then crashes as such.
 */
function listenFailure(error: unknown, port: number): string | undefined {
  const { code, address } = error as { code?: unknown; address?: unknown };
  const where = typeof address === 'string' ? `${address.includes(':') ? `[${address}]` : address}:${port}` : `port ${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the address is already in use (another process listens there; choose another PORT or stop it)`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges; choose another PORT)`;
    case 'EADDRNOTAVAIL':
      return 'cannot listen: HOST is not an address of this machine';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return 'cannot listen: HOST does not resolve to an address of this machine';
    default:
      return undefined;
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`auth-service: ${error.message}\n`);
    process.exit(1);
  }

  const logger = createLogger(config.logLevel);
  exitOnCrash(logger);
  logger.info({ config: redactedConfig(config) }, 'effective configuration');
  if (config.rateLimits === null) {
    logger.warn(
      { rateLimit: 'off' },
      'RATE LIMITING IS OFF: registrations, log-ins and password resets are not rate-limited (RATE_LIMIT=off); ' +
        'never run like this where clients are not trusted',
    );
  }

  let container: Container;
  try {
    container = await createContainer(config, logger);
  } catch (error) {
    if (!(error instanceof StoreUnreachableError)) throw error;
    process.stderr.write(`auth-service: ${error.message}\n`);
    process.exit(1);
  }
  let running: RunningServer;
  try {
    running = await listen(buildHttpApp(container), config.host, config.port, { https: config.cookieSecure });
  } catch (error) {
    const reason = listenFailure(error, config.port);
    if (reason === undefined) throw error;
    process.stderr.write(`auth-service: ${reason}\n`);
    process.exit(1);
  }

  // The listener closes at once (new connections are refused); requests in flight get up to the timeout,
  // and the store what is left of it (at least a second): a hung database cannot hold the exit back.
  const shutDown = async (): Promise<void> => {
    const startedAt = Date.now();
    const minStoreCloseMs = 1000;
    const timeoutSeconds = config.shutdownTimeoutSeconds;
    const closed = running.close(timeoutSeconds * 1000);
    logger.info({ timeoutSeconds }, 'shutting down: refusing new connections, finishing requests in flight');
    const { cutRequests } = await closed;
    if (cutRequests > 0) {
      logger.warn({ cutRequests, timeoutSeconds }, `shutdown timeout reached: cut ${cutRequests} request(s) still in flight`);
    } else {
      logger.info('all requests in flight finished');
    }
    const storeTimeoutMs = Math.max(minStoreCloseMs, timeoutSeconds * 1000 - (Date.now() - startedAt));
    if (await disposeContainer(container, storeTimeoutMs)) {
      logger.info({ store: config.store }, 'store closed');
    } else {
      logger.warn(
        { store: config.store, storeTimeoutMs },
        `store did not close within ${storeTimeoutMs} ms (the database does not answer): exiting without waiting for it`,
      );
    }
  };

  // One signal can arrive twice within milliseconds: Ctrl-C reaches the whole process group, and npm
  // (`npm start`) forwards its copy to us as well. A repeat that soon is the same request; a later one
  // is someone insisting, and ends the process at once (Ctrl-C twice).
  const REPEAT_WINDOW_MS = 500;
  let firstSignalAt: number | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (firstSignalAt !== undefined) {
      if (performance.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
      logger.warn({ signal }, `received ${signal} again: exiting at once, without finishing the requests in flight`);
      logger.flush();
      process.exit(1);
    }
    firstSignalAt = performance.now();
    logger.info({ signal }, `received ${signal}`);
    shutDown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.fatal({ error }, 'shutdown failed: exiting with code 1');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Only now: whoever waits for this line may signal the process at once.
  logger.info({ url: running.url, store: config.store }, `auth service listening on ${running.url}`);
  logger.flush();
}

await main();
