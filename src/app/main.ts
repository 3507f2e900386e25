import type { Container } from 'inversify';
import { MongoUnreachableError } from '../adapters/mongodb/mongo-store.js';
import { ConfigError, loadConfig, redactedConfig, type Config } from './config.js';
import { createContainer, disposeContainer } from './container.js';
import { buildHttpApp, listen } from './http-server.js';
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
      'RATE LIMITING IS OFF: registrations, log-ins and password resets are not throttled (RATE_LIMIT=off); ' +
        'never run like this where clients are not trusted',
    );
  }

  let container: Container;
  try {
    container = await createContainer(config, logger);
  } catch (error) {
    if (!(error instanceof MongoUnreachableError)) throw error;
    process.stderr.write(`auth-service: ${error.message}\n`);
    process.exit(1);
  }
  const running = await listen(buildHttpApp(container), config.host, config.port, { https: config.cookieSecure });

  // The listener closes at once (new connections are refused); requests in flight get up to the timeout.
  const shutDown = async (): Promise<void> => {
    const timeoutSeconds = config.shutdownTimeoutSeconds;
    const closed = running.close(timeoutSeconds * 1000);
    logger.info({ timeoutSeconds }, 'shutting down: refusing new connections, finishing requests in flight');
    const { cutRequests } = await closed;
    if (cutRequests > 0) {
      logger.warn({ cutRequests, timeoutSeconds }, `shutdown timeout reached: cut ${cutRequests} request(s) still in flight`);
    } else {
      logger.info('all requests in flight finished');
    }
    await disposeContainer(container);
    logger.info({ store: config.store }, 'store closed');
  };

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
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
  // A second signal of the same kind is not caught: it ends the process at once (Ctrl-C twice).
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Only now: whoever waits for this line may signal the process at once.
  logger.info({ url: running.url, store: config.store }, `auth service listening on ${running.url}`);
  logger.flush();
}

await main();
