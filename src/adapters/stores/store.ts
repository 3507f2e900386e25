import type { RateLimiter } from '../../domain/ports/rate-limiter.js';
import type { SessionRepository } from '../../domain/ports/session-repository.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';

/** One limit: so many attempts per window, its keys apart from other limits' in a shared store. */
export interface RateLimit {
  /** Distinguishes this limit's keys from the others' in a shared store. */
  readonly name: string;
  readonly attempts: number;
  readonly windowSeconds: number;
}

/**
 * A store that cannot be used at start-up: a server unreachable past the start-up timeout, a file that
 * cannot be opened, a schema newer than this code. Its message is one line for the operator, naming the
 * host, database or file, never a credential.
 */
export class StoreUnreachableError extends Error {
  override readonly name = 'StoreUnreachableError';
}

/**
 * What every store adapter hands the composition root, from one factory of its own: its repositories,
 * its rate-limit counters, a liveness probe and how to let go of it. Adding a store is a folder that
 * implements this, and one line in src/app/store.ts.
 */
export interface Store {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  /** A limiter counting in this store, so that a limit holds across instances sharing it. */
  rateLimiter(limit: RateLimit): RateLimiter;
  /** Resolves when the store answers; rejects (StoreUnavailableError) when it does not. */
  ping(): Promise<void>;
  /**
   * Lets go of the store; true once done. With `timeoutMs`, gives up after it and answers false (a hung
   * database must not hold a shutdown back).
   */
  close(timeoutMs?: number): Promise<boolean>;
}
