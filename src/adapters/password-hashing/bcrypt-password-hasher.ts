import bcrypt from 'bcrypt';
import type { HashRequester, PasswordHasher } from '../../domain/ports/password-hasher.js';
import { FairHashQueue, type FairHashQueueOptions } from './fair-hash-queue.js';

const UNLIMITED: FairHashQueueOptions = { concurrency: Number.POSITIVE_INFINITY, maxQueuedPerClient: Number.POSITIVE_INFINITY };

/**
 * bcrypt on libuv's thread pool, never on the event loop. At most `concurrency` hashes run at once:
 * with no cap, the pool's threads (4 by default) would take every core from the event loop under a
 * log-in flood, and cheap requests (a session check) would queue behind the hashing. The ones waiting
 * are queued per client (see FairHashQueue), so that one address cannot make everybody else wait.
 */
export class BcryptPasswordHasher implements PasswordHasher {
  private readonly queue: FairHashQueue;

  constructor(
    private readonly cost: number,
    options: FairHashQueueOptions = UNLIMITED,
  ) {
    this.queue = new FairHashQueue(options);
  }

  hash(password: string, requester?: HashRequester): Promise<string> {
    return this.queue.run(() => bcrypt.hash(password, this.cost), requester);
  }

  verify(password: string, hash: string, requester?: HashRequester): Promise<boolean> {
    return this.queue.run(() => bcrypt.compare(password, hash), requester);
  }

  /** Another cost than the configured one, higher or lower (a hash bcrypt cannot read counts as another too). */
  needsRehash(hash: string): boolean {
    try {
      return bcrypt.getRounds(hash) !== this.cost;
    } catch {
      return true;
    }
  }
}
