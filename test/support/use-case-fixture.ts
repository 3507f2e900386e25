import { pino } from 'pino';
import { createContainer, resolveUseCases } from '../../src/app/container.js';
import { TOKENS } from '../../src/app/tokens.js';
import type { PasswordHasher } from '../../src/domain/ports/password-hasher.js';
import { ManualClock } from './manual-clock.js';
import { testConfig } from './test-server.js';

export interface FixtureOptions {
  readonly env?: Record<string, string>;
  readonly hasher?: PasswordHasher;
}

/** The use cases as the composition root wires them on the in-memory store, with a manual clock. */
export async function useCaseFixture(options: FixtureOptions = {}) {
  const container = await createContainer(testConfig(options.env), pino({ level: 'silent' }));
  const clock = new ManualClock();
  container.rebind(TOKENS.Clock).toConstantValue(clock);
  if (options.hasher !== undefined) container.rebind(TOKENS.PasswordHasher).toConstantValue(options.hasher);
  return {
    clock,
    users: container.get(TOKENS.UserRepository),
    sessions: container.get(TOKENS.SessionRepository),
    ...resolveUseCases(container),
  };
}

export type UseCaseFixture = Awaited<ReturnType<typeof useCaseFixture>>;

export const EMAIL = 'alice@example.com';
export const PASSWORD = 'correct horse battery';
/** The client address use cases are called with (TEST-NET-1, RFC 5737). */
export const ADDRESS = '192.0.2.1';
