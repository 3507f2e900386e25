/** Load generation: autocannon as a library, bounded in time, with progress and a strict status check. */
import { inspect } from 'node:util';
import autocannon from 'autocannon';
import type { Progress } from './progress.js';

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

/** Responses with another status than expected (and connection errors) tolerated per run. */
export const TOLERATED_FAILURES = 5;
/** How long past its planned end a run may take before it is stopped and counted as failed. */
const OVERRUN_MS = 20_000;

export interface LoadSpec {
  readonly label: string;
  readonly url: string;
  readonly connections: number;
  /** Either a duration … */
  readonly seconds?: number;
  /** … or a number of requests (seeding), bounded by `maxSeconds`. */
  readonly amount?: number;
  readonly maxSeconds?: number;
  /** The requests every connection sends in turn, or a function giving each connection its own. */
  readonly requests: autocannon.Request[] | ((connection: number) => autocannon.Request[]);
  /** The status every response must have (default 200). */
  readonly expectStatus?: number;
  /** Keep every response time (for percentiles); off for seeding. */
  readonly keepLatencies?: boolean;
}

export interface LoadResult {
  /** Responses with the expected status. */
  readonly ok: number;
  readonly seconds: number;
  /** ok / seconds. */
  readonly perSecond: number;
  /** Response times of the expected responses in ms, sorted (empty unless keepLatencies). */
  readonly latenciesMs: Float64Array;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly errors: number;
}

class LoadError extends Error {}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** A load that can be stopped early (the background log-in load of the responsiveness phase). */
export interface RunningLoad {
  readonly result: Promise<LoadResult>;
  stop(): void;
}

export function startLoad(spec: LoadSpec, signal: AbortSignal, progress: Progress): RunningLoad {
  const expected = spec.expectStatus ?? 200;
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  let unexpected = 0;
  let instance: autocannon.Instance | undefined;
  const plannedMs = (spec.seconds ?? spec.maxSeconds ?? 60) * 1000;

  const result = new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, value?: LoadResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      clearInterval(ticker);
      signal.removeEventListener('abort', onAbort);
      progress.clearLive();
      if (error !== undefined) reject(error);
      else resolve(value as LoadResult);
    };
    const onAbort = () => {
      instance?.stop();
      finish(new LoadError(`${spec.label}: aborted (${String(signal.reason)})`));
    };
    const watchdog = setTimeout(() => {
      instance?.stop();
      finish(new LoadError(`${spec.label}: still running ${OVERRUN_MS / 1000} s after its planned ${plannedMs / 1000} s`));
    }, plannedMs + OVERRUN_MS);
    const started = Date.now();
    const ticker = setInterval(() => {
      const done = spec.amount === undefined ? '' : ` of ${spec.amount}`;
      progress.live(`${spec.label}: ${ok}${done} responses, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }, 1000);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);

    instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        pipelining: 1,
        ...(spec.amount === undefined ? { duration: spec.seconds ?? 1 } : { amount: spec.amount }),
        ...requestOptions(spec.requests),
        // autocannon checks for its end at every sample: a short interval keeps short runs short.
        sampleInt: 100,
        timeout: 10,
      },
      (error: unknown, raw: autocannon.Result) => {
        if (error !== null && error !== undefined) return finish(error instanceof Error ? error : new Error(inspect(error)));
        const failures = unexpected + raw.errors;
        if (failures > TOLERATED_FAILURES) {
          return finish(
            new LoadError(
              `${spec.label}: ${unexpected} responses other than ${expected} and ${raw.errors} errors/timeouts ` +
                `(statuses: ${JSON.stringify(statusCounts)})`,
            ),
          );
        }
        const sorted = Float64Array.from(latencies).sort();
        finish(undefined, {
          ok,
          seconds: raw.duration,
          perSecond: ok / raw.duration,
          latenciesMs: sorted,
          statusCounts,
          errors: raw.errors,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
      if (statusCode !== expected) {
        unexpected += 1;
        return;
      }
      ok += 1;
      if (spec.keepLatencies !== false) latencies.push(responseTime);
    });
  });
  return { result, stop: () => instance?.stop() };
}

function requestOptions(requests: LoadSpec['requests']): Pick<autocannon.Options, 'requests' | 'setupClient'> {
  if (typeof requests !== 'function') return { requests };
  let connection = 0;
  // setupClient runs as each connection is created, before it sends anything.
  return { requests: [{}], setupClient: (client) => client.setRequests(requests(connection++)) };
}

export function runLoad(spec: LoadSpec, signal: AbortSignal, progress: Progress): Promise<LoadResult> {
  return startLoad(spec, signal, progress).result;
}

/** A form body, encoded as a browser form would be. */
export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
