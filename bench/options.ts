import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

const PHASES = ['session', 'login', 'hashing', 'enumeration', 'responsiveness', 'growth', 'mongodb', 'sqlite', 'postgres'] as const;
export type PhaseName = (typeof PHASES)[number];

export interface BenchOptions {
  readonly quick: boolean;
  /** Interleaved rounds per figure (service, baseline, service, baseline, …). */
  readonly rounds: number;
  /** Seconds of load per side and round. */
  readonly durationSeconds: number;
  /** Seconds of load per side before the first round, not recorded. */
  readonly warmupSeconds: number;
  /** Connections of the session-check loads (GET /profile). */
  readonly connections: number;
  /** Connections of the hashing loads (log-in, registration, reset): enough to keep the hash pool busy. */
  readonly hashingConnections: number;
  /** BCRYPT_COST of every phase but growth's seeding. */
  readonly cost: number;
  /** HASH_CONCURRENCY passed to the service; undefined leaves the service's default (cores + 1, bounded by the pool). */
  readonly hashConcurrency: number | undefined;
  /** The responsiveness phase runs once per value (a fresh service each). */
  readonly hashConcurrencySweep: readonly (number | undefined)[];
  /** Users and sessions of the large store of the growth phase. */
  readonly growthUsers: number;
  readonly phases: ReadonlySet<PhaseName>;
  /** libuv's thread pool size given to every child process (the service and the baselines alike). */
  readonly threadPoolSize: number;
}

export const USAGE = `usage: npm run bench -- [options]

  --quick                         smoke run: every phase about a second, small growth seeding (about a minute)
  --rounds N                      interleaved rounds per figure (default 3)
  --duration S                    seconds of load per side and round (default 3; 0.5 with --quick)
  --connections N                 connections of the session-check loads (default 50)
  --cost N                        BCRYPT_COST of the hashing phases (default 10)
  --hash-concurrency N            HASH_CONCURRENCY of the service (default: unset, the service's default)
  --hash-concurrency-sweep 1,2,4  run the responsiveness phase once per value
  --growth-users N                users and sessions of the large growth store (default 100000; 2000 with --quick)
  --phases a,b                    only these phases: ${PHASES.join(', ')}
  --help                          this text

UV_THREADPOOL_SIZE from the environment (default 4) is given to the service and to every baseline.`;

export class UsageError extends Error {}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${name} must be a whole number >= 1`);
  return Number(value);
}

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`${name} must be a number > 0`);
  return number;
}

/** Returns undefined when --help was asked for. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      cost: { type: 'string' },
      'hash-concurrency': { type: 'string' },
      'hash-concurrency-sweep': { type: 'string' },
      'growth-users': { type: 'string' },
      phases: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const quick = values.quick;
  const cost = positiveInteger('--cost', values.cost, 10);
  if (cost < 4 || cost > 31) throw new UsageError('--cost must be from 4 to 31');
  const hashConcurrency =
    values['hash-concurrency'] === undefined ? undefined : positiveInteger('--hash-concurrency', values['hash-concurrency'], 1);
  const sweep =
    values['hash-concurrency-sweep'] === undefined
      ? [hashConcurrency]
      : values['hash-concurrency-sweep'].split(',').map((item) => positiveInteger('--hash-concurrency-sweep', item.trim(), 1));
  const phases = values.phases === undefined ? [...PHASES] : values.phases.split(',').map((item) => item.trim());
  for (const phase of phases) {
    if (!(PHASES as readonly string[]).includes(phase)) throw new UsageError(`unknown phase ${phase}: one of ${PHASES.join(', ')}`);
  }
  const threadPoolSize = positiveInteger('UV_THREADPOOL_SIZE', env.UV_THREADPOOL_SIZE || undefined, 4);
  const durationSeconds = positiveNumber('--duration', values.duration, quick ? 0.5 : 3);
  return {
    quick,
    rounds: positiveInteger('--rounds', values.rounds, 3),
    durationSeconds,
    warmupSeconds: quick ? 0.3 : Math.min(1, durationSeconds),
    connections: positiveInteger('--connections', values.connections, 50),
    hashingConnections: Math.max(16, 2 * threadPoolSize, 2 * availableParallelism()),
    cost,
    hashConcurrency,
    hashConcurrencySweep: sweep,
    growthUsers: positiveInteger('--growth-users', values['growth-users'], quick ? 2000 : 100_000),
    phases: new Set(phases as PhaseName[]),
    threadPoolSize,
  };
}
