/**
 * Measuring: the sides of a comparison (a load on the service, a load on a baseline, a raw bcrypt loop)
 * and their interleaving (warm-up, then service, baseline, service, baseline, … for the rounds).
 */
import type autocannon from 'autocannon';
import type { Credentials } from './client.js';
import { form, FORM, percentile, runLoad, type LoadResult } from './load.js';
import type { BenchOptions } from './options.js';
import { cpuSeconds, runNodeScript, type Server } from './processes.js';
import type { Progress } from './progress.js';
import { median, spread, type Figure } from './report.js';

export interface PhaseContext {
  readonly options: BenchOptions;
  readonly signal: AbortSignal;
  readonly progress: Progress;
}

export interface Side<T> {
  readonly label: string;
  /** A side that starts a fresh process every run has nothing to warm up. */
  readonly noWarmUp?: boolean;
  run(seconds: number): Promise<T>;
  describe(result: T): string;
  /**
   * Waits after a run until the next may start: the requests still queued in the service when autocannon
   * hangs up are still hashed, and must not eat into the next side's run.
   */
  settle?(): Promise<void>;
}

const SETTLE_MS = 100;
const IDLE_SAMPLE_MS = 100;
/** A server using less than this share of one core is idle. */
const IDLE_CPU_SHARE = 0.1;
const IDLE_WAIT_MAX_MS = 15_000;

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A field of a JSON answer, or undefined (a body that is not JSON must not crash the load generator). */
export function jsonField(body: string, field: string): string | undefined {
  try {
    const value = (JSON.parse(body) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves once the process has used less than IDLE_CPU_SHARE of a core over a sample (or after a bound). */
export async function untilIdle(pid: number): Promise<void> {
  const deadline = Date.now() + IDLE_WAIT_MAX_MS;
  let before = await cpuSeconds(pid);
  while (Date.now() < deadline) {
    await delay(IDLE_SAMPLE_MS);
    const now = await cpuSeconds(pid);
    if (now - before < (IDLE_CPU_SHARE * IDLE_SAMPLE_MS) / 1000) return;
    before = now;
  }
}

/** A warm-up of every side (not recorded), then `rounds` rounds running every side in turn. */
export async function interleave<T>(context: PhaseContext, sides: readonly Side<T>[]): Promise<T[][]> {
  const { options, progress } = context;
  for (const side of sides) {
    if (side.noWarmUp === true) continue;
    progress.live(`warm-up: ${side.label}`);
    await side.run(options.warmupSeconds);
    await (side.settle?.() ?? delay(SETTLE_MS));
  }
  const results: T[][] = sides.map(() => []);
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const [index, side] of sides.entries()) {
      const result = await side.run(options.durationSeconds);
      results[index]?.push(result);
      progress.step(`round ${round}/${options.rounds}  ${side.label}: ${side.describe(result)}`);
      await (side.settle?.() ?? delay(SETTLE_MS));
    }
  }
  return results;
}

export function ratios<A, B>(a: readonly A[], b: readonly B[], ratio: (a: A, b: B) => number) {
  return spread(a.map((value, index) => ratio(value, b[index] as B)));
}

export const perSecond = (result: LoadResult) => `${result.perSecond.toFixed(1)}/s`;
export const p50 = (result: LoadResult) => percentile(result.latenciesMs, 50);
export const p99 = (result: LoadResult) => percentile(result.latenciesMs, 99);

// ---------------------------------------------------------------------------------------------------
// Sides

export interface ProfileResult extends LoadResult {
  /** CPU time the server used during the run (all its threads), per answered request. */
  readonly cpuMicrosPerRequest: number;
}

export function profileLoad(context: PhaseContext, label: string, server: Server, cookie: string): Side<ProfileResult> {
  return {
    label,
    settle: () => untilIdle(server.pid),
    run: async (seconds) => {
      const cpuBefore = await cpuSeconds(server.pid);
      const result = await runLoad(
        {
          label,
          url: server.url,
          connections: context.options.connections,
          seconds,
          requests: [{ method: 'GET', path: '/profile', headers: { cookie } }],
        },
        context.signal,
        context.progress,
      );
      const cpu = (await cpuSeconds(server.pid)) - cpuBefore;
      return { ...result, cpuMicrosPerRequest: result.ok > 0 ? (cpu * 1e6) / result.ok : NaN };
    },
    describe: (result) =>
      `${perSecond(result)}, p50 ${p50(result).toFixed(2)} ms, p99 ${p99(result).toFixed(2)} ms, ` +
      `${result.cpuMicrosPerRequest.toFixed(1)} µs server CPU/req`,
  };
}

/**
 * The server's CPU time per request, service vs baseline. On this machine one autocannon thread can be
 * the bottleneck of a session check; this figure does not depend on the load generator.
 */
export function cpuFigure(name: string, measured: readonly ProfileResult[], baseline: readonly ProfileResult[], label: string): Figure {
  const cpu = (runs: readonly ProfileResult[]) => median(runs.map((r) => r.cpuMicrosPerRequest));
  return {
    name: `${name}: server CPU per request (ratio: baseline ÷ service)`,
    measured: { value: cpu(measured), unit: 'µs/req' },
    baseline: { value: cpu(baseline), unit: 'µs/req', label },
    ratio: ratios(measured, baseline, (a, b) => b.cpuMicrosPerRequest / a.cpuMicrosPerRequest),
  };
}

export function logInRequests(user: Credentials): autocannon.Request[] {
  return [{ method: 'POST', path: '/sessions', headers: FORM, body: form({ ...user }) }];
}

export function logInLoad(
  context: PhaseContext,
  label: string,
  server: Server,
  user: Credentials,
  expectStatus = 200,
  connections?: number,
) {
  return {
    label,
    settle: () => untilIdle(server.pid),
    run: (seconds: number) =>
      runLoad(
        {
          label,
          url: server.url,
          connections: connections ?? context.options.hashingConnections,
          seconds,
          requests: logInRequests(user),
          expectStatus,
        },
        context.signal,
        context.progress,
      ),
    describe: (result: LoadResult) => `${perSecond(result)}, p50 ${p50(result).toFixed(1)} ms`,
  } satisfies Side<LoadResult>;
}

export interface BcryptThroughput {
  readonly operations: number;
  readonly perSecond: number;
}

/** Raw bcrypt in a process of its own, with twice the thread pool's size in flight (a saturated pool). */
export function bcryptLoop(context: PhaseContext, op: 'compare' | 'hash', env: Record<string, string>): Side<BcryptThroughput> {
  const { options } = context;
  const label = `bcrypt.${op} (raw)`;
  return {
    label,
    noWarmUp: true,
    run: async (seconds) => {
      context.progress.live(`${label} for ${seconds} s`);
      const inFlight = String(2 * options.threadPoolSize);
      const args = [op, env.BCRYPT_COST ?? String(options.cost), String(seconds), inFlight];
      const line = await runNodeScript(label, 'bench/bcrypt-throughput.js', args, env, context.signal, seconds * 1000 + 30_000);
      context.progress.clearLive();
      return JSON.parse(line) as BcryptThroughput;
    },
    describe: (result) => `${result.perSecond.toFixed(1)}/s (${result.operations} in the window)`,
  };
}
