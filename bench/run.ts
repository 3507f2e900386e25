/**
 * `npm run bench`: the service (compiled, in child processes) against baselines measured in the same run.
 * Progress goes to stderr; the table to stdout and, as JSON and Markdown, to bench/results/.
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultHashConcurrency } from '../src/app/config.js';
import { parseOptions, UsageError, USAGE, type BenchOptions, type PhaseName } from './options.js';
import {
  childEnv,
  enumerationTiming,
  growth,
  hashingThroughput,
  logInThroughput,
  prepareService,
  resetSupply,
  responsiveness,
  SEEDING_COST,
  sessionCheck,
  sessionCheckVersusMemory,
  type PhaseContext,
  type ServiceFixture,
} from './phases.js';
import { jongodbBinary, killAllNow, machineBusySeconds, ownCpuSeconds, ROOT, startJongodb, startNodeServer, stopAll } from './processes.js';
import { Progress } from './progress.js';
import { startPostgresCluster } from '../test/support/test-postgres.js';
import { renderText, verdict, writeReport, type Figure, type Report } from './report.js';
import { TOLERATED_FAILURES } from './load.js';

const EXIT_INTERRUPTED = 130;
/** Other processes using more than this share of the machine's CPU make a run "busy". */
const BUSY_SHARE = 0.1;
/** Session checks on SQLite against the memory store, same rounds: the store is synchronous, its lookups cheap. */
const SQLITE_VS_MEMORY = 0.7;

/** A server several phases share: started by the first that needs it; all see its failure. */
function shared<T>(start: () => Promise<T>) {
  let started: Promise<T> | undefined;
  return {
    get: () => (started ??= start()),
    /** The server if it was started (and started well), else undefined. */
    ifStarted: async () => started?.catch(() => undefined),
  };
}

/** Last resort on exit: an immediate shutdown (SIGQUIT) of a throw-away cluster's server, and its folder removed. */
function killPostmaster(folder: string): void {
  try {
    const pid = Number(readFileSync(path.join(folder, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGQUIT');
  } catch {
    // Not running (any more): nothing to stop.
  }
  rmSync(folder, { recursive: true, force: true });
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');
}

function serviceDefaultHashConcurrency(threadPoolSize: number): number {
  return defaultHashConcurrency(os.availableParallelism(), threadPoolSize);
}

function hashConcurrencyLabel(value: number | undefined, threadPoolSize: number): string {
  return value === undefined
    ? `unset (service default: ${serviceDefaultHashConcurrency(threadPoolSize)} = cores + 1, at most the pool size - 1)`
    : String(value);
}

function header(options: BenchOptions, startLoad: string, seconds: number): Record<string, string> {
  const cores = os.availableParallelism();
  const version = (name: string) =>
    (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    date: new Date().toISOString(),
    mode: options.quick ? 'quick (smoke run: about a second per phase, targets reported but not enforced)' : 'full',
    machine: `${cores} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
    'load average (1/5/15 min)': `${startLoad} at start, ${loadAverage()} at the end`,
    node: `${process.version} (same flags and env for the service and the baselines)`,
    versions: `koa ${version('koa')}, @koa/router ${version('@koa/router')}, bcrypt ${version('bcrypt')}, autocannon ${version('autocannon')}`,
    'bcrypt cost': `${options.cost} (log-in, registration, reset, enumeration, responsiveness, MongoDB, SQLite, PostgreSQL); ${SEEDING_COST} for growth`,
    UV_THREADPOOL_SIZE: String(options.threadPoolSize),
    HASH_CONCURRENCY:
      hashConcurrencyLabel(options.hashConcurrency, options.threadPoolSize) +
      (options.hashConcurrencySweep.some((value) => value !== options.hashConcurrency)
        ? `; the responsiveness phase sweeps ${options.hashConcurrencySweep.map((value) => hashConcurrencyLabel(value, options.threadPoolSize)).join(', ')}`
        : ''),
    rounds: `${options.rounds} (service and baseline interleaved; warm-up ${options.warmupSeconds} s per side first)`,
    'duration per round': `${options.durationSeconds} s per side`,
    connections: `${options.connections} for session checks, ${options.hashingConnections} for hashing loads, 1 for enumeration; pipelining 1`,
    'total duration': `${seconds.toFixed(0)} s`,
  };
}

function notes(options: BenchOptions, machineBusy: boolean): string[] {
  return [
    'Ratios: each round measures the service, then its baseline, back to back; the ratio is taken per round and ' +
      'shown as median (min–max) over the rounds. Measured and baseline values are medians over the rounds.',
    'RATE_LIMIT=off: all load comes from one address (127.0.0.1), which the per-address limit (100/min) would ' +
      'rateLimits at once; the per-account limit on failed log-ins would also stop the enumeration phase.',
    'The load generator (autocannon) runs in the benchmark process on the same machine, competing for its cores ' +
      'with the service as with the baselines.',
    'Baselines: a bare Koa app (same koa and @koa/router) answering a constant JSON on GET /profile; raw bcrypt.compare ' +
      `and bcrypt.hash loops in a process of their own with ${2 * options.threadPoolSize} operations in flight ` +
      `(UV_THREADPOOL_SIZE=${options.threadPoolSize}) at the same cost.`,
    'Reset: PUT /reset_password, the step that hashes; before each timed run every reset account gets a fresh token ' +
      'with POST /reset_password (no hashing, not timed), and each PUT spends one of them.',
    `Growth: seeded through the HTTP API with BCRYPT_COST=${SEEDING_COST} (the hash cost does not affect a session lookup) ` +
      `and 64 connections; memory is VmRSS of the service after seeding ${options.growthUsers.toLocaleString('en-US')} users, ` +
      'then as many sessions, per 100,000; it includes heap not yet collected.',
    'MongoDB: the jongodb wire-protocol stand-in the tests use, not mongod: those figures have no target.',
    'SQLite and PostgreSQL: the session check runs in the same rounds against a memory-store service of the phase ' +
      `(store, memory, bare Koa, …); SQLite on a temporary file with the default SQLITE_SYNCHRONOUS (full), target >= ${SQLITE_VS_MEMORY} ` +
      'of the memory store; PostgreSQL on a throw-away local cluster (initdb, fsync on), PG_POOL_SIZE default, no target.',
    `A run fails (exit 1) when a phase crashes or a load gets more than ${TOLERATED_FAILURES} unexpected answers; ` +
      'a missed target does not fail it.',
    ...(machineBusy ? ['The machine was busy: other processes used CPU during the run (see the header), so figures are noisier.'] : []),
  ];
}

async function main(): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opts = options;

  const progress = new Progress();
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      killAllNow();
      process.exit(EXIT_INTERRUPTED);
    }
    progress.step(`${signal}: stopping (again to kill at once)`);
    interrupt.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllNow);

  const startLoad = loadAverage();
  const [machineBefore, ownBefore] = [await machineBusySeconds(), await ownCpuSeconds()];
  const figures: Figure[] = [];
  const errors: string[] = [];
  const baseContext: PhaseContext = { options: opts, signal: interrupt.signal, progress };
  const env = childEnv(opts);

  const perSide = opts.durationSeconds + 1;
  const interleaved = (sides: number) => sides * (opts.warmupSeconds + 1 + opts.rounds * perSide);
  const phase = async (name: PhaseName, title: string, budgetSeconds: number, run: (context: PhaseContext) => Promise<Figure[]>) => {
    if (!opts.phases.has(name) || interrupt.signal.aborted) return;
    progress.phase(`${title} (at most ${budgetSeconds.toFixed(0)} s)`);
    const signal = AbortSignal.any([interrupt.signal, AbortSignal.timeout(budgetSeconds * 1000)]);
    try {
      figures.push(...(await run({ ...baseContext, signal })));
    } catch (error) {
      const reason = signal.aborted && !interrupt.signal.aborted ? `over its ${budgetSeconds.toFixed(0)} s budget` : '';
      const message = `${reason === '' ? '' : `${reason}: `}${error instanceof Error ? error.message : String(error)}`;
      progress.step(`FAILED: ${message}`);
      errors.push(`${title}: ${message}`);
      figures.push({ name: title, error: message });
    }
  };

  const koa = shared(() => startNodeServer('bare Koa baseline', 'bench/baseline-koa.js', env, interrupt.signal));
  const memory = shared(() => prepareService(baseContext, 'service (memory)', env));
  const setup = 40;

  try {
    await phase('session', '1. session check vs bare Koa (memory)', setup + interleaved(2), async (context) =>
      sessionCheck(context, 'memory', await memory.get(), await koa.get(), 0.8),
    );
    await phase('login', '2. log-in vs bcrypt.compare (memory)', setup + interleaved(2), async (context) =>
      logInThroughput(context, 'memory', await memory.get(), env, 0.95),
    );
    // Registering the reset accounts hashes once per account, before any timed run: on a slow machine
    // (2 cores at some 25 hashes/s at cost 10) that alone takes most of a minute. Budgeted at 10 hashes/s.
    const resetRegistration = resetSupply(opts) / (10 / 2 ** Math.max(0, opts.cost - 10));
    await phase(
      'hashing',
      '3. registration and reset vs bcrypt.hash (memory)',
      setup + interleaved(3) + resetRegistration,
      async (context) => hashingThroughput(context, await memory.get(), env),
    );
    await phase('enumeration', '4. enumeration timing: unknown email vs wrong password (memory)', setup + interleaved(2), async (context) =>
      enumerationTiming(context, await memory.get()),
    );
    for (const value of opts.hashConcurrencySweep) {
      const label = value === undefined ? `default (${serviceDefaultHashConcurrency(opts.threadPoolSize)})` : String(value);
      await phase(
        'responsiveness',
        `5. responsiveness under log-in load (HASH_CONCURRENCY ${label})`,
        setup + interleaved(2),
        async (context) => {
          if (value === opts.hashConcurrency) return responsiveness(context, await memory.get(), label);
          const own: ServiceFixture = await prepareService(context, `service (memory, HASH_CONCURRENCY ${value})`, {
            ...env,
            HASH_CONCURRENCY: String(value),
          });
          try {
            return await responsiveness(context, own, label);
          } finally {
            await own.server.stop();
          }
        },
      );
    }
    // Nothing else runs while the growth, MongoDB, SQLite and PostgreSQL phases measure (the last two start their own memory service).
    await (await memory.ifStarted())?.server.stop();
    const seedingSeconds = (2 * opts.growthUsers) / 250;
    await phase(
      'growth',
      `6. growth: ${opts.growthUsers} vs 100 users and sessions (memory)`,
      setup + seedingSeconds + interleaved(2),
      (context) => growth(context, env),
    );
    await phase('mongodb', '7. session check and log-in on MongoDB (jongodb stand-in)', 2 * setup + interleaved(4), async (context) => {
      const binary = jongodbBinary();
      if (binary === undefined) throw new Error('the jongodb stand-in (@jongodb/memory-server-bin-linux-x64-gnu) is not installed');
      const jongodb = await startJongodb(binary, context.signal);
      let service: ServiceFixture | undefined;
      try {
        const mongoEnv = { ...env, STORE: 'mongodb', MONGODB_URI: jongodb.uri, MONGODB_DB: 'bench' };
        service = await prepareService(context, 'service (mongodb)', mongoEnv);
        return [
          ...(await sessionCheck(context, 'mongodb', service, await koa.get(), undefined)),
          ...(await logInThroughput(context, 'mongodb', service, mongoEnv, undefined)),
        ];
      } finally {
        await service?.server.stop();
        await jongodb.stop();
      }
    });
    // 8 and 9: the session check against bare Koa and, in the same rounds, against a memory-store service
    // of the phase's own (stopped before the log-in load, so that nothing else runs while it measures).
    const onStore = async (
      context: PhaseContext,
      store: { readonly key: string; readonly title: string },
      storeEnv: Record<string, string>,
      target: number | undefined,
    ): Promise<Figure[]> => {
      let service: ServiceFixture | undefined;
      let inMemory: ServiceFixture | undefined;
      try {
        service = await prepareService(context, `service (${store.key})`, storeEnv);
        inMemory = await prepareService(context, 'service (memory, for the ratio)', env);
        const figures = await sessionCheckVersusMemory(context, store, service, inMemory, await koa.get(), target);
        await inMemory.server.stop();
        return [...figures, ...(await logInThroughput(context, store.key, service, storeEnv, undefined))];
      } finally {
        await Promise.all([service?.server.stop(), inMemory?.server.stop()]);
      }
    };
    await phase('sqlite', '8. session check and log-in on SQLite (vs the memory store)', 3 * setup + interleaved(5), async (context) => {
      const folder = await mkdtemp(path.join(os.tmpdir(), 'auth-bench-sqlite-'));
      try {
        // SQLITE_SYNCHRONOUS left unset: the default, full.
        const sqliteEnv = { ...env, STORE: 'sqlite', SQLITE_PATH: path.join(folder, 'auth.sqlite3') };
        return await onStore(context, { key: 'sqlite', title: 'SQLite' }, sqliteEnv, SQLITE_VS_MEMORY);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });
    await phase(
      'postgres',
      '9. session check and log-in on PostgreSQL (vs the memory store)',
      4 * setup + interleaved(5),
      async (context) => {
        context.progress.step('starting a throw-away PostgreSQL cluster (initdb, fsync on)');
        const cluster = await startPostgresCluster();
        // pg_ctl starts the server detached: a second Ctrl-C (process.exit) must not leave it running.
        const killCluster = () => killPostmaster(cluster.folder);
        process.on('exit', killCluster);
        try {
          const postgresEnv = { ...env, STORE: 'postgres', DATABASE_URL: cluster.url, PG_SCHEMA: 'bench' };
          return await onStore(context, { key: 'postgres', title: 'PostgreSQL' }, postgresEnv, undefined);
        } finally {
          await cluster.destroy();
          process.off('exit', killCluster);
        }
      },
    );
  } finally {
    progress.phase('stopping every process the benchmark started');
    await stopAll();
  }

  const seconds = progress.elapsedSeconds();
  // What the machine did besides this benchmark and its children (all stopped and reaped by now).
  const others = (await machineBusySeconds()) - machineBefore - ((await ownCpuSeconds()) - ownBefore);
  const othersShare = Math.max(0, others) / (seconds * os.availableParallelism());
  const report: Report = {
    title: `auth-service benchmark${opts.quick ? ' (quick)' : ''}: the service against baselines measured in the same run`,
    header: {
      ...header(opts, startLoad, seconds),
      'other processes': `${(othersShare * 100).toFixed(0)} % of the machine's CPU time during the run (besides the benchmark and its children)`,
      ...(interrupt.signal.aborted ? { interrupted: 'yes: the run was stopped by a signal, phases after it are missing' } : {}),
    },
    figures,
    notes: notes(opts, othersShare > BUSY_SHARE),
    errors,
  };
  const stamp = `${new Date().toISOString().replace(/[:.]/g, '-')}${opts.quick ? '-quick' : ''}`;
  const written = await writeReport(report, path.join(ROOT, 'bench', 'results'), stamp);
  process.stdout.write(`\n${renderText(report)}`);
  const missed = figures.filter((figure) => verdict(figure) === 'missed').length;
  process.stderr.write(
    `\nwritten: ${written.map((file) => path.relative(ROOT, file)).join(', ')} (and latest.*); ` +
      `${missed} target(s) missed; ${errors.length} error(s); ${seconds.toFixed(0)} s\n`,
  );
  if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
  return errors.length > 0 ? 1 : 0;
}

// Exit at once: nothing is left to wait for (children are stopped, the report written).
process.exit(await main());
