import { StoreUnavailableError } from '../../domain/errors.js';

/** What within() answers when the time ran out first. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * `promise`, or TIMED_OUT once `timeoutMs` has passed without it settling. The loser is not cancelled:
 * its late result is dropped, and a late rejection is handled here (Promise.race listens to it), never
 * an unhandled rejection. The timer is cleared as soon as either settles, and never keeps the process up.
 */
export function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timedOut]).finally(() => clearTimeout(timer));
}

/** No answer within the store's time limit: a hung server (frozen VM, stuck disk, network black hole). */
class StoreTimeoutError extends Error {
  override readonly name = 'StoreTimeoutError';

  constructor(timeoutMs: number) {
    super(`the database did not answer within ${timeoutMs} ms`);
  }
}

/**
 * `promise`, or StoreUnavailableError once `timeoutMs` has passed. The client-side deadline is what
 * bounds the answer when the server accepts connections but never replies: server-side limits are
 * enforced by that server, and a driver's own time limits apply per attempt (a retry starts them again).
 */
export async function withDeadline<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  const outcome = await within(promise, timeoutMs);
  if (outcome === TIMED_OUT) throw new StoreUnavailableError({ cause: new StoreTimeoutError(timeoutMs) });
  return outcome;
}

/**
 * `target` with a deadline on each of its methods that returns a promise: a call answers, or rejects
 * with StoreUnavailableError, within `timeoutMs` in all, however many round trips (and driver retries)
 * it makes. The methods run on `target` itself, so calls between them are not limited twice.
 */
export function withDeadlines<T extends object>(target: T, timeoutMs: number): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = Reflect.apply(value, object, args);
        return result instanceof Promise ? withDeadline(result, timeoutMs) : result;
      };
    },
  });
}
