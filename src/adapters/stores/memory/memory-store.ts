import { memoryRateLimiter } from '../../rate-limit/flexible-rate-limiter.js';
import type { Store } from '../store.js';
import { InMemorySessionRepository } from './in-memory-session-repository.js';
import { InMemoryUserRepository } from './in-memory-user-repository.js';

/** The in-memory store (tests, STORE=memory): everything in this process, gone when it exits. */
export function openMemoryStore(): Store {
  return {
    users: new InMemoryUserRepository(),
    sessions: new InMemorySessionRepository(),
    rateLimiter: memoryRateLimiter,
    ping: async () => undefined,
    close: async () => true,
  };
}
