import { setTimeout as sleep } from 'node:timers/promises';
import { StoreUnreachableError } from './store.js';

const FIRST_RETRY_DELAY_MS = 250;
const MAX_RETRY_DELAY_MS = 5000;

export interface StartupRetry<T> {
  /** One attempt at connecting and preparing the store; must clean up after itself when it fails. */
  readonly attempt: () => Promise<T>;
  /** Unreachable or still starting: worth waiting for. Bad credentials, a bad schema: not. */
  readonly isRetryable: (error: unknown) => boolean;
  /** How long start-up keeps retrying. */
  readonly startupTimeoutMs: number;
  /** The operator's line once start-up gives up; never a credential. */
  readonly failure: (attempts: number, reason: string) => string;
  readonly onRetry?: (details: { attempt: number; delayMs: number; reason: string }) => void;
}

/** Runs `attempt` until it succeeds, with exponential backoff, for at most `startupTimeoutMs`; then StoreUnreachableError. */
export async function retryAtStartup<T>({ attempt, isRetryable, startupTimeoutMs, failure, onRetry }: StartupRetry<T>): Promise<T> {
  const deadline = Date.now() + startupTimeoutMs;
  let delayMs = FIRST_RETRY_DELAY_MS;
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof StoreUnreachableError) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const remainingMs = deadline - Date.now();
      if (!isRetryable(error) || remainingMs <= 0) throw new StoreUnreachableError(failure(attempts, reason), { cause: error });
      const wait = Math.min(delayMs, remainingMs);
      onRetry?.({ attempt: attempts, delayMs: wait, reason });
      await sleep(wait);
      delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS);
    }
  }
}
