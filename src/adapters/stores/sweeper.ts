/** Rows one sweep deletes per statement, so that no statement holds locks (or, in SQLite, the event loop) for long. */
export const SWEEP_BATCH = 1000;
/** Batches per sweep: at most this × SWEEP_BATCH rows per interval, the rest left to the next one. */
export const SWEEP_MAX_BATCHES = 10;

/**
 * Runs `sweep` every `intervalMs` (never two at once, never keeping the process up) until stopped. A
 * failing sweep is reported and tried again next time: expired rows are refused by the domain anyway,
 * the sweep only keeps the tables from growing.
 */
export function startSweeper(sweep: () => Promise<void>, intervalMs: number, onError: (error: unknown) => void): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = sweep()
      .catch(onError)
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
