/**
 * The phases: each measures the service against a baseline, interleaved (service, baseline, service,
 * baseline, …) so that both see the same drift of the machine, and returns its figures.
 */
import { availableParallelism } from 'node:os';
import { BENCH_USER, LOAD_USER, inParallel, logIn, register, resetToken } from './client.js';
import { form, FORM, runLoad, startLoad, type LoadResult } from './load.js';
import {
  bcryptLoop,
  cpuFigure,
  delay,
  interleave,
  jsonField,
  logInLoad,
  logInRequests,
  p50,
  p99,
  perSecond,
  profileLoad,
  ratios,
  untilIdle,
  type BcryptThroughput,
  type PhaseContext,
  type ProfileResult,
  type Side,
} from './measure.js';
import type { BenchOptions } from './options.js';
import { residentBytes, startNodeServer, type Server } from './processes.js';
import { median, type Figure } from './report.js';

export type { PhaseContext } from './measure.js';

/** The bcrypt cost the growth phase seeds with: a session lookup does not depend on it. */
export const SEEDING_COST = 4;
const SEEDING_CONNECTIONS = 64;
const SMALL_STORE = 100;
const MIB = 1024 * 1024;

/** The environment of every Node child: the service and its baselines get the same. */
export function childEnv(options: BenchOptions, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    UV_THREADPOOL_SIZE: String(options.threadPoolSize),
    HOST: '127.0.0.1',
    PORT: '0',
    STORE: 'memory',
    BCRYPT_COST: String(options.cost),
    // All the load comes from one address: the per-address limit would rateLimits it within a second.
    RATE_LIMIT: 'off',
    LOG_LEVEL: 'info',
    ...(options.hashConcurrency === undefined ? {} : { HASH_CONCURRENCY: String(options.hashConcurrency) }),
    ...overrides,
  };
}

/** A running service with the benchmark's user registered and logged in, and the log-in loads' user registered. */
export interface ServiceFixture {
  readonly server: Server;
  /** Cookie header value of a valid session of BENCH_USER. */
  readonly cookie: string;
}

export async function prepareService(context: PhaseContext, name: string, env: Record<string, string>): Promise<ServiceFixture> {
  context.progress.step(`starting ${name}`);
  const server = await startNodeServer(name, 'dist/app/main.js', env, context.signal);
  try {
    await register(server.url, BENCH_USER, context.signal);
    await register(server.url, LOAD_USER, context.signal);
    const cookie = await logIn(server.url, BENCH_USER, context.signal);
    context.progress.step(`${name} listening on ${server.url} (pid ${server.pid})`);
    return { server, cookie };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Phases

/** The figures of a session check: req/s and server CPU per request, service vs bare Koa. */
function sessionFigures(
  context: PhaseContext,
  store: string,
  measured: readonly ProfileResult[],
  baseline: readonly ProfileResult[],
  target: number | undefined,
): Figure[] {
  const name = `session check GET /profile (${store}, ${context.options.connections} connections)`;
  return [
    {
      name,
      measured: { value: median(measured.map((r) => r.perSecond)), unit: 'req/s' },
      baseline: { value: median(baseline.map((r) => r.perSecond)), unit: 'req/s', label: 'bare Koa' },
      ratio: ratios(measured, baseline, (a, b) => a.perSecond / b.perSecond),
      ...(target === undefined ? {} : { target: { min: target } }),
    },
    cpuFigure(name, measured, baseline, 'bare Koa'),
  ];
}

/** 1 and 7: GET /profile with a valid session vs a bare Koa app answering a constant JSON. */
export async function sessionCheck(
  context: PhaseContext,
  store: string,
  service: ServiceFixture,
  koa: Server,
  target: number | undefined,
): Promise<Figure[]> {
  const [measured = [], baseline = []] = await interleave(context, [
    profileLoad(context, `service GET /profile (${store})`, service.server, service.cookie),
    profileLoad(context, 'bare Koa GET /profile', koa, service.cookie),
  ]);
  return sessionFigures(context, store, measured, baseline, target);
}

/**
 * 8 and 9: GET /profile on a store of a database vs bare Koa (as in 1 and 7) and vs the memory store, in
 * the same rounds (the store's service, the memory store's, bare Koa, …): one run of the store's service
 * serves both ratios, and the machine's drift hits all three sides alike.
 */
export async function sessionCheckVersusMemory(
  context: PhaseContext,
  store: { readonly key: string; readonly title: string },
  service: ServiceFixture,
  memory: ServiceFixture,
  koa: Server,
  target: number | undefined,
): Promise<Figure[]> {
  const [measured = [], inMemory = [], baseline = []] = await interleave(context, [
    profileLoad(context, `service GET /profile (${store.key})`, service.server, service.cookie),
    profileLoad(context, 'service GET /profile (memory)', memory.server, memory.cookie),
    profileLoad(context, 'bare Koa GET /profile', koa, service.cookie),
  ]);
  const name = `session check on ${store.title} vs the memory store (GET /profile, ${context.options.connections} connections)`;
  return [
    ...sessionFigures(context, store.key, measured, baseline, undefined),
    {
      name,
      measured: { value: median(measured.map((r) => r.perSecond)), unit: 'req/s', label: store.title },
      baseline: { value: median(inMemory.map((r) => r.perSecond)), unit: 'req/s', label: 'memory store' },
      ratio: ratios(measured, inMemory, (a, b) => a.perSecond / b.perSecond),
      ...(target === undefined ? {} : { target: { min: target } }),
    },
    cpuFigure(name, measured, inMemory, 'memory store'),
  ];
}

/** 2, 7, 8 and 9: POST /sessions with the right password vs raw bcrypt.compare at the same cost. */
export async function logInThroughput(
  context: PhaseContext,
  store: string,
  service: ServiceFixture,
  env: Record<string, string>,
  target: number | undefined,
): Promise<Figure[]> {
  const [measured = [], baseline = []] = await interleave<LoadResult | BcryptThroughput>(context, [
    logInLoad(context, `service POST /sessions (${store})`, service.server, LOAD_USER),
    bcryptLoop(context, 'compare', env),
  ]);
  return [
    {
      name: `log-in POST /sessions (${store}, cost ${env.BCRYPT_COST})`,
      measured: { value: median(measured.map((r) => r.perSecond)), unit: 'log-ins/s' },
      baseline: { value: median(baseline.map((r) => r.perSecond)), unit: 'compares/s', label: 'bcrypt.compare' },
      ratio: ratios(measured, baseline, (a, b) => a.perSecond / b.perSecond),
      ...(target === undefined ? {} : { target: { min: target } }),
    },
  ];
}

/**
 * More tokens than the machine can spend in one timed run: four times what its cores could hash at the
 * bench's cost if one hash took 20 ms of a core at cost 10, a deliberately pessimistic guess. Should it
 * ever not be enough, the run fails loudly rather than measure short.
 */
/** How many accounts the reset load registers (and, before each timed run, issues a token to). */
export function resetSupply(options: BenchOptions): number {
  const hashesPerSecond = (availableParallelism() * 50) / 2 ** Math.max(0, options.cost - 10);
  const seconds = Math.max(options.durationSeconds, options.warmupSeconds);
  return Math.min(50_000, Math.ceil(4 * hashesPerSecond * seconds)) + options.hashingConnections;
}

/** 3: registration (distinct emails) and reset (PUT /reset_password, tokens issued beforehand) vs raw bcrypt.hash. */
export async function hashingThroughput(context: PhaseContext, service: ServiceFixture, env: Record<string, string>): Promise<Figure[]> {
  const { options } = context;
  const url = service.server.url;
  const password = BENCH_USER.password;
  let nextEmail = 0;
  const registration: Side<LoadResult> = {
    label: 'service POST /users',
    run: (seconds) =>
      runLoad(
        {
          label: 'service POST /users',
          url,
          connections: options.hashingConnections,
          seconds,
          requests: [
            {
              method: 'POST',
              path: '/users',
              headers: FORM,
              setupRequest: (request) => ({ ...request, body: form({ email: `new-${nextEmail++}@bench.example`, password }) }),
            },
          ],
        },
        context.signal,
        context.progress,
      ),
    describe: perSecond,
    settle: () => untilIdle(service.server.pid),
  };

  // Reset as PUT /reset_password, the step that hashes, with tokens issued before each timed run (a
  // token is superseded by the next one asked for the same account: one pending token per account).
  // The accounts are registered once; re-issuing their tokens costs no hashing.
  const resetAccounts = Array.from({ length: resetSupply(options) }, (_, i) => `reset-${i}@bench.example`);
  context.progress.step(`registering ${resetAccounts.length} users for the reset load`);
  await inParallel(resetAccounts, options.hashingConnections, (email) => register(url, { email, password }, context.signal));
  let pending: Array<{ email: string; token: string }> = [];
  let resetsDone = 0;
  let supplyExhausted = false;
  const reset: Side<LoadResult> = {
    label: 'service PUT /reset_password',
    run: async (seconds) => {
      context.progress.step(`issuing ${resetAccounts.length} reset tokens`);
      const issued: Array<{ email: string; token: string }> = [];
      await inParallel(resetAccounts, options.hashingConnections, async (email) => {
        issued.push({ email, token: await resetToken(url, email, context.signal) });
      });
      pending = issued;
      resetsDone = 0;
      const result = await runLoad(
        {
          label: 'service PUT /reset_password',
          url,
          connections: options.hashingConnections,
          seconds,
          requests: [
            {
              method: 'PUT',
              path: '/reset_password',
              headers: FORM,
              setupRequest: (request) => {
                const next = pending.pop();
                if (next === undefined) supplyExhausted = true;
                return { ...request, body: form({ email: next?.email ?? '', reset_token: next?.token ?? '', new_password: password }) };
              },
              onResponse: (status) => {
                if (status === 200) resetsDone += 1;
              },
            },
          ],
        },
        context.signal,
        context.progress,
      );
      if (supplyExhausted) throw new Error(`ran out of reset tokens: more than ${resetAccounts.length} resets in ${seconds} s`);
      return { ...result, perSecond: resetsDone / result.seconds };
    },
    describe: (result) => `${result.perSecond.toFixed(1)} resets/s`,
    settle: () => untilIdle(service.server.pid),
  };

  type Any = LoadResult | BcryptThroughput;
  const [registered = [], resets = [], hashes = []] = await interleave<Any>(context, [
    registration,
    reset,
    bcryptLoop(context, 'hash', env),
  ]);
  const hashBaseline = { value: median(hashes.map((r) => r.perSecond)), unit: 'hashes/s', label: 'bcrypt.hash' };
  const byHash = (a: Any, b: Any) => a.perSecond / b.perSecond;
  return [
    {
      name: `registration POST /users (memory, cost ${env.BCRYPT_COST})`,
      measured: { value: median(registered.map((r) => r.perSecond)), unit: 'registrations/s' },
      baseline: hashBaseline,
      ratio: ratios(registered, hashes, byHash),
      target: { min: 0.95 },
    },
    {
      name: `reset PUT /reset_password (memory, cost ${env.BCRYPT_COST})`,
      measured: { value: median(resets.map((r) => r.perSecond)), unit: 'resets/s' },
      baseline: hashBaseline,
      ratio: ratios(resets, hashes, byHash),
      target: { min: 0.95 },
    },
  ];
}

/** 4: median latency of a log-in with an unknown email vs a known email with a wrong password. */
export async function enumerationTiming(context: PhaseContext, service: ServiceFixture): Promise<Figure[]> {
  const unknown = { email: 'nobody-here@bench.example', password: BENCH_USER.password };
  const wrong = { email: BENCH_USER.email, password: 'not the right password' };
  // One connection: each answer's latency is one request's own work, not queueing behind others.
  const [unknownRuns = [], wrongRuns = []] = await interleave(context, [
    logInLoad(context, 'log-in, unknown email', service.server, unknown, 401, 1),
    logInLoad(context, 'log-in, known email, wrong password', service.server, wrong, 401, 1),
  ]);
  return [
    {
      name: `enumeration: log-in latency p50, unknown vs known email (memory, cost ${context.options.cost}, 1 connection)`,
      measured: { value: median(unknownRuns.map(p50)), unit: 'ms', label: 'unknown email' },
      baseline: { value: median(wrongRuns.map(p50)), unit: 'ms', label: 'wrong password' },
      ratio: ratios(unknownRuns, wrongRuns, (a, b) => p50(a) / p50(b)),
      target: { within: 0.05 },
    },
  ];
}

interface UnderLoad {
  readonly profile: ProfileResult;
  /** Log-ins per second of the background load over its run (0 without one). */
  readonly logInsPerSecond: number;
}

/** 5: GET /profile while a log-in load keeps the hash pool busy, vs GET /profile alone. */
export async function responsiveness(context: PhaseContext, service: ServiceFixture, hashConcurrency: string): Promise<Figure[]> {
  const url = service.server.url;
  const profile = profileLoad(context, 'GET /profile alone', service.server, service.cookie);
  const underLoad = profileLoad(context, 'GET /profile under log-in load', service.server, service.cookie);
  const alone: Side<UnderLoad> = {
    label: profile.label,
    run: async (seconds) => ({ profile: await profile.run(seconds), logInsPerSecond: 0 }),
    describe: (result) => `${perSecond(result.profile)}, p99 ${p99(result.profile).toFixed(2)} ms`,
  };
  const loaded: Side<UnderLoad> = {
    label: underLoad.label,
    run: async (seconds) => {
      const background = startLoad(
        {
          label: 'log-in load',
          url,
          connections: context.options.hashingConnections,
          seconds: seconds + 60,
          requests: logInRequests(LOAD_USER),
          keepLatencies: false,
        },
        context.signal,
        context.progress,
      );
      let result: ProfileResult;
      try {
        await delay(Math.min(500, seconds * 500)); // let the hash pool fill before measuring
        result = await underLoad.run(seconds);
      } finally {
        background.stop();
      }
      const logIns = await background.result;
      return { profile: result, logInsPerSecond: logIns.perSecond };
    },
    describe: (result) =>
      `${perSecond(result.profile)}, p99 ${p99(result.profile).toFixed(2)} ms; ${result.logInsPerSecond.toFixed(1)} log-ins/s`,
    settle: () => untilIdle(service.server.pid),
  };
  const [loadedRuns = [], aloneRuns = []] = await interleave(context, [loaded, alone]);
  const where = `memory, HASH_CONCURRENCY ${hashConcurrency}`;
  return [
    {
      name: `responsiveness: GET /profile throughput under log-in load (${where})`,
      measured: { value: median(loadedRuns.map((r) => r.profile.perSecond)), unit: 'req/s' },
      baseline: { value: median(aloneRuns.map((r) => r.profile.perSecond)), unit: 'req/s', label: 'no log-in load' },
      ratio: ratios(loadedRuns, aloneRuns, (a, b) => a.profile.perSecond / b.profile.perSecond),
    },
    {
      name: `responsiveness: GET /profile p99 latency under log-in load (${where})`,
      measured: { value: median(loadedRuns.map((r) => p99(r.profile))), unit: 'ms' },
      baseline: { value: median(aloneRuns.map((r) => p99(r.profile))), unit: 'ms', label: 'no log-in load' },
      ratio: ratios(loadedRuns, aloneRuns, (a, b) => p99(a.profile) / p99(b.profile)),
    },
    {
      name: `responsiveness: log-ins/s of the log-in load meanwhile (${where}, cost ${context.options.cost})`,
      measured: { value: median(loadedRuns.map((r) => r.logInsPerSecond)), unit: 'log-ins/s' },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// Growth

/** Registers `count` users with distinct emails through the API; returns their emails. */
async function seedUsers(context: PhaseContext, url: string, prefix: string, count: number): Promise<string[]> {
  const emails: string[] = [];
  let next = 0;
  await runLoad(
    {
      label: `registering ${count} users`,
      url,
      connections: Math.min(SEEDING_CONNECTIONS, count),
      amount: count,
      maxSeconds: Math.max(60, count / 250),
      keepLatencies: false,
      requests: [
        {
          method: 'POST',
          path: '/users',
          headers: FORM,
          setupRequest: (request) => ({
            ...request,
            body: form({ email: `${prefix}-${next++}@bench.example`, password: BENCH_USER.password }),
          }),
          onResponse: (status, body) => {
            const email = status === 200 ? jsonField(body, 'email') : undefined;
            if (email !== undefined) emails.push(email);
          },
        },
      ],
    },
    context.signal,
    context.progress,
  );
  return emails;
}

/** Logs in `count` times, cycling through `emails`: one new session each. */
async function seedSessions(context: PhaseContext, url: string, emails: readonly string[], count: number): Promise<void> {
  let next = 0;
  await runLoad(
    {
      label: `opening ${count} sessions`,
      url,
      connections: Math.min(SEEDING_CONNECTIONS, count),
      amount: count,
      maxSeconds: Math.max(60, count / 250),
      keepLatencies: false,
      requests: [
        {
          method: 'POST',
          path: '/sessions',
          headers: FORM,
          setupRequest: (request) => ({
            ...request,
            body: form({ email: emails[next++ % emails.length] ?? '', password: BENCH_USER.password }),
          }),
        },
      ],
    },
    context.signal,
    context.progress,
  );
}

async function settledRss(context: PhaseContext, server: Server): Promise<number> {
  await delay(context.options.quick ? 200 : 1000);
  return residentBytes(server.pid);
}

/** 6: GET /profile with 100 users and sessions in the store vs `growthUsers`; resident memory per session. */
export async function growth(context: PhaseContext, env: Record<string, string>): Promise<Figure[]> {
  const { options, progress } = context;
  const count = options.growthUsers;
  const seedEnv = { ...env, BCRYPT_COST: String(SEEDING_COST) };
  const small = await prepareService(context, `service (memory, ${SMALL_STORE} sessions)`, seedEnv);
  let large: ServiceFixture | undefined;
  try {
    large = await prepareService(context, `service (memory, ${count} sessions)`, seedEnv);
    const startedAt = progress.elapsedSeconds();
    await seedSessions(context, small.server.url, await seedUsers(context, small.server.url, 'small', SMALL_STORE), SMALL_STORE);
    const rssEmpty = await settledRss(context, large.server);
    const emails = await seedUsers(context, large.server.url, 'large', count);
    const rssUsers = await settledRss(context, large.server);
    await seedSessions(context, large.server.url, emails, count);
    const rssSessions = await settledRss(context, large.server);
    const mib = (bytes: number) => (bytes / MIB).toFixed(1);
    progress.step(
      `seeded in ${(progress.elapsedSeconds() - startedAt).toFixed(0)} s; large store RSS ${mib(rssEmpty)} MiB empty, ` +
        `${mib(rssUsers)} MiB with ${count} users, ${mib(rssSessions)} MiB with as many sessions`,
    );

    const [largeRuns = [], smallRuns = []] = await interleave(context, [
      profileLoad(context, `GET /profile, ${count} sessions`, large.server, large.cookie),
      profileLoad(context, `GET /profile, ${SMALL_STORE} sessions`, small.server, small.cookie),
    ]);
    const per100k = (bytes: number) => ((bytes / MIB) * 100_000) / count;
    const name = `growth: session check with ${count.toLocaleString('en-US')} vs ${SMALL_STORE} users and sessions (memory)`;
    return [
      {
        name,
        measured: { value: median(largeRuns.map((r) => r.perSecond)), unit: 'req/s' },
        baseline: { value: median(smallRuns.map((r) => r.perSecond)), unit: 'req/s', label: `${SMALL_STORE} sessions` },
        ratio: ratios(largeRuns, smallRuns, (a, b) => a.perSecond / b.perSecond),
        target: { min: 0.9 },
      },
      cpuFigure(name, largeRuns, smallRuns, `${SMALL_STORE} sessions`),
      {
        name: 'growth: resident memory per 100,000 sessions (memory store, VmRSS)',
        measured: { value: per100k(rssSessions - rssUsers), unit: 'MiB', label: `${mib(rssUsers)} → ${mib(rssSessions)} MiB` },
      },
      {
        name: 'growth: resident memory per 100,000 users (memory store, VmRSS)',
        measured: { value: per100k(rssUsers - rssEmpty), unit: 'MiB', label: `${mib(rssEmpty)} → ${mib(rssUsers)} MiB` },
      },
    ];
  } finally {
    await Promise.all([small.server.stop(), large?.server.stop()]);
  }
}
