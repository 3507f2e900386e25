import type { Container } from 'inversify';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/app/config.js';
import { createContainer, disposeContainer } from '../../src/app/container.js';
import { buildHttpApp, listen } from '../../src/app/http-server.js';
import type { Logger } from '../../src/app/logger.js';
import { TOKENS } from '../../src/app/tokens.js';
import { ManualClock } from './manual-clock.js';

/**
 * The test defaults: bcrypt's minimum cost keeps the suite fast; the in-memory store unless a test picks
 * one (describeForEachStore), never the default SQLite file in the working folder; the rest as in production.
 */
export const TEST_ENV: Readonly<Record<string, string>> = { BCRYPT_COST: '4', LOG_LEVEL: 'silent', STORE: 'memory' };

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ ...TEST_ENV, ...env });
}

export interface TestServer {
  readonly url: string;
  readonly clock: ManualClock;
  readonly container: Container;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly env?: Record<string, string>;
  /** Rebinds ports before the app is built (a failing repository, say). */
  readonly configure?: (container: Container) => void;
  /** Where the service logs; silent by default. */
  readonly logger?: Logger;
}

/** The real composition root, with a manual clock, listening on 127.0.0.1 on a free port. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const config = testConfig(options.env);
  const container = await createContainer(config, options.logger ?? pino({ level: 'silent' }));
  const clock = new ManualClock();
  container.rebind(TOKENS.Clock).toConstantValue(clock);
  options.configure?.(container);
  const running = await listen(buildHttpApp(container), '127.0.0.1', 0);
  return {
    url: running.url,
    clock,
    container,
    close: async () => {
      await running.close(1000);
      await disposeContainer(container);
    },
  };
}
