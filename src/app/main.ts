import type { Container } from 'inversify';
import { MongoUnreachableError } from '../adapters/mongodb/mongo-store.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createContainer, disposeContainer } from './container.js';
import { buildHttpApp, listen } from './http-server.js';
import { createLogger } from './logger.js';

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
  let container: Container;
  try {
    container = await createContainer(config, logger);
  } catch (error) {
    if (!(error instanceof MongoUnreachableError)) throw error;
    process.stderr.write(`auth-service: ${error.message}\n`);
    process.exit(1);
  }
  const running = await listen(buildHttpApp(container), config.host, config.port);
  logger.info({ url: running.url, store: config.store }, `auth service listening on ${running.url}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    void running
      .close(config.shutdownTimeoutSeconds * 1000)
      .then(() => disposeContainer(container))
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
