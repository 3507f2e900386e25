import bcrypt from 'bcrypt';
import pLimit, { type LimitFunction } from 'p-limit';
import type { PasswordHasher } from '../../domain/ports/password-hasher.js';

/**
 * bcrypt on libuv's thread pool, never on the event loop. At most `concurrency` hashes run at once:
 * with no cap, the pool's threads (4 by default) would take every core from the event loop under a
 * log-in flood, and cheap requests (a session check) would queue behind the hashing.
 */
export class BcryptPasswordHasher implements PasswordHasher {
  private readonly limit: LimitFunction;

  constructor(
    private readonly cost: number,
    concurrency = Number.POSITIVE_INFINITY,
  ) {
    this.limit = pLimit(concurrency);
  }

  hash(password: string): Promise<string> {
    return this.limit(() => bcrypt.hash(password, this.cost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.limit(() => bcrypt.compare(password, hash));
  }
}
