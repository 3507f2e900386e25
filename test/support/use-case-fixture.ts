import type { Container } from 'inversify';
import { pino } from 'pino';
import { createContainer, disposeContainer, resolveUseCases } from '../../src/app/container.js';
import { TOKENS } from '../../src/app/tokens.js';
import type { Notifier } from '../../src/domain/ports/notifier.js';
import type { PasswordHasher } from '../../src/domain/ports/password-hasher.js';
import { ManualClock } from './manual-clock.js';
import { describeForEachStore } from './stores.js';
import { testConfig } from './test-server.js';

export interface FixtureOptions {
  readonly env?: Record<string, string>;
  readonly hasher?: PasswordHasher;
  /** Stands in for the configured notifier (a RecordingNotifier, say). */
  readonly notifier?: Notifier;
  /** Rebinds ports before any use case resolves (a repository that fails on cue, say). */
  readonly configure?: (container: Container) => void;
}

// What the fixtures of the running test opened (a MongoDB client, say): let go of after each test.
const opened = new Set<Container>();

/** Closes every fixture the tests made so far; the root hooks call it after every test. */
export async function disposeFixtures(): Promise<void> {
  const containers = [...opened];
  opened.clear();
  await Promise.all(containers.map((container) => disposeContainer(container)));
}

/** The use cases as the composition root wires them (on the in-memory store unless env says otherwise), with a manual clock. */
export async function useCaseFixture(options: FixtureOptions = {}) {
  const container = await createContainer(testConfig(options.env), pino({ level: 'silent' }));
  opened.add(container);
  const clock = new ManualClock();
  container.rebind(TOKENS.Clock).toConstantValue(clock);
  if (options.hasher !== undefined) container.rebind(TOKENS.PasswordHasher).toConstantValue(options.hasher);
  if (options.notifier !== undefined) container.rebind(TOKENS.Notifier).toConstantValue(options.notifier);
  options.configure?.(container);
  return {
    clock,
    users: container.get(TOKENS.UserRepository),
    sessions: container.get(TOKENS.SessionRepository),
    ...resolveUseCases(container),
  };
}

export type UseCaseFixture = Awaited<ReturnType<typeof useCaseFixture>>;
export type FixtureFactory = (options?: FixtureOptions) => Promise<UseCaseFixture>;

/** The same use-case tests once per store: in memory, and on MongoDB (skipped, saying why, where there is none). */
export function describeUseCasesForEachStore(title: string, body: (fixture: FixtureFactory) => void): void {
  describeForEachStore(title, (storeEnv) => body((options = {}) => useCaseFixture({ ...options, env: { ...storeEnv(), ...options.env } })));
}

export const EMAIL = 'alice@example.com';
export const PASSWORD = 'correct horse battery';
/** The client address use cases are called with (TEST-NET-1, RFC 5737). */
export const ADDRESS = '192.0.2.1';

/** A fixture whose user is registered and logged in once; `sessionToken` is that log-in's session. */
export async function loggedInFixture(env?: Record<string, string>) {
  const fixture = await useCaseFixture({ env });
  await fixture.registerUser.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
  const { sessionToken } = await fixture.logIn.execute({ email: EMAIL, password: PASSWORD, clientAddress: ADDRESS });
  return { ...fixture, sessionToken };
}
