import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { accessSync, constants, existsSync, readdirSync, realpathSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/**
 * Which PostgreSQL the suite runs against, chosen once per run:
 *   1. POSTGRES_URL set: that server, as is (tests isolate themselves in schemas of their own);
 *   2. otherwise a throw-away cluster made with the installed initdb in a temporary folder, on a free
 *      loopback port, stopped and removed at the end of the run (root-hooks.ts);
 *   3. no initdb at all: the PostgreSQL tests are skipped, or fail when REQUIRE_POSTGRES=true (CI).
 * A PostgreSQL that is installed but does not start is a broken install, not a missing one: that fails.
 */

/** The run's shared PostgreSQL server: one throw-away cluster for the whole mocha run (or POSTGRES_URL when set). */
export interface TestPostgres {
  /** postgres://user@127.0.0.1:PORT/DBNAME of a database that exists and is empty apart from what tests create. */
  readonly url: string;
  readonly description: string;
}

/** A cluster of a test's own, for tests that stop and restart the server under a running service. */
export interface PostgresCluster {
  readonly port: number;
  /** URL of the cluster's database (same as TestPostgres.url shape). */
  readonly url: string;
  /** The temporary folder holding the data folder, the log and the Unix socket; gone after destroy(). */
  readonly folder: string;
  /** Stops the server (pg_ctl stop -m fast, or immediate when asked), keeping its data folder. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops it if running and removes its folder. Idempotent. */
  destroy(): Promise<void>;
}

interface Running extends TestPostgres {
  stop(): Promise<void>;
}

const DATABASE = 'auth_test';
const SUPERUSER = 'postgres';
/** initdb refuses to run as root; so does the server. As root, both run as Debian's `postgres` system user. */
const SYSTEM_USER = 'postgres';
const START_ATTEMPTS = 5;
const COMMAND_TIMEOUT_MS = 60_000;

let shared: Promise<Running | null> | undefined;
let unavailableReason = '';
const schemas = new Set<string>();
/** Clusters from startPostgresCluster not destroyed yet: the root hook destroys whatever a test left. */
const liveClusters = new Set<PostgresCluster>();

// ---------------------------------------------------------------------------------------------
// Finding and running PostgreSQL's programs.

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && executable(path.join(dir, program))) return path.join(dir, program);
  }
  return undefined;
}

/** The folder with initdb, pg_ctl and postgres: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin, else PATH. */
async function findBindir(): Promise<string | undefined> {
  const pgConfig = onPath('pg_config');
  if (pgConfig !== undefined) {
    const result = await run(pgConfig, ['--bindir'], { asSystemUser: false }).catch(() => undefined);
    const bindir = result?.trim();
    // libpq-dev's pg_config comes without the server: its bindir need not hold initdb.
    if (bindir !== undefined && bindir !== '' && executable(path.join(bindir, 'initdb'))) return bindir;
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((name) => /^\d+(\.\d+)?$/.test(name) && executable(path.join(debian, name, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return path.join(debian, versions[0], 'bin');
  }
  const initdb = onPath('initdb');
  // A symlink (Debian's /usr/local/bin links, Homebrew): pg_ctl and postgres live next to the real file.
  return initdb === undefined ? undefined : path.dirname(realpathSync(initdb));
}

const asRoot = (): boolean => process.getuid?.() === 0;

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line that runs the program as SYSTEM_USER: runuser where there is one, else su. */
function systemUserCommand(program: string, args: readonly string[]): [string, string[]] {
  const runuser = onPath('runuser') ?? ['/usr/sbin/runuser', '/sbin/runuser'].find(executable);
  if (runuser !== undefined) return [runuser, ['-u', SYSTEM_USER, '--', program, ...args]];
  const su = onPath('su') ?? ['/bin/su', '/usr/bin/su'].find(executable);
  if (su === undefined) throw new Error(`running as root, and neither runuser nor su is there to run ${program} as ${SYSTEM_USER}`);
  return [su, [SYSTEM_USER, '-s', '/bin/sh', '-c', [program, ...args].map(shellQuote).join(' ')]];
}

/** Runs a program to completion and resolves with what it wrote; rejects, with that output, on a non-zero exit. */
async function run(program: string, args: readonly string[], options: { asSystemUser: boolean; cwd?: string }): Promise<string> {
  const [command, commandArgs] = options.asSystemUser && asRoot() ? systemUserCommand(program, args) : [program, [...args]];
  // The cwd matters as SYSTEM_USER: initdb and pg_ctl complain about a working folder they cannot enter.
  const child = spawn(command, commandArgs, { cwd: options.cwd ?? os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
  try {
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    if (code !== 0) throw new Error(`${[program, ...args].join(' ')} failed (${code ?? signal}):\n${output}`);
    return output;
  } finally {
    clearTimeout(timer);
  }
}

async function logTail(file: string, lines = 20): Promise<string> {
  const log = await readFile(file, 'utf8').catch(() => '(no log)');
  return log.trimEnd().split('\n').slice(-lines).join('\n');
}

const urlOf = (port: number, database: string): string => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await client.query<T>(sql);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Clusters.

interface ClusterOptions {
  /** fsync, synchronous_commit and full_page_writes off: quick, and safe only while the machine stays up. */
  readonly durable: boolean;
}

interface MadeCluster extends PostgresCluster {
  readonly version: string;
  readonly bindir: string;
}

async function makeCluster(bindir: string, options: ClusterOptions): Promise<MadeCluster> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'auth-test-postgres-'));
  const data = path.join(folder, 'data');
  const log = path.join(folder, 'log');
  const pgCtl = path.join(bindir, 'pg_ctl');
  const asSystemUser = asRoot();
  let running = false;

  const pgCtlRun = (args: readonly string[]): Promise<string> => run(pgCtl, ['-D', data, ...args], { asSystemUser, cwd: folder });
  const startServer = async (): Promise<void> => {
    try {
      await pgCtlRun(['-l', log, '-w', '-t', '60', 'start']);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nlast lines of ${log}:\n${await logTail(log)}`, { cause: error });
    }
    running = true;
  };

  try {
    if (asSystemUser) {
      // The data folder, the log and the socket are the server's: the folder must be its user's.
      await run('chown', ['-R', `${SYSTEM_USER}:${SYSTEM_USER}`, folder], { asSystemUser: false });
    }
    await run(
      path.join(bindir, 'initdb'),
      ['-D', data, '--auth=trust', `--username=${SUPERUSER}`, '--encoding=UTF8', '--no-locale', '--no-sync'],
      { asSystemUser, cwd: folder },
    );
    // The settings go to postgresql.conf (later lines win) rather than to pg_ctl -o, so that start() after
    // stop() brings back the same server. The socket goes to the folder: /var/run/postgresql may not be writable.
    const settings = [
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${folder.replace(/'/g, "''")}'`,
      'max_connections = 200',
      ...(options.durable ? [] : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']),
    ];
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      // As root the file is written by root, but stays SYSTEM_USER's: appending keeps the owner.
      await appendFile(path.join(data, 'postgresql.conf'), `\n# test-postgres.ts\n${[...settings, `port = ${port}`].join('\n')}\n`);
      try {
        await startServer();
        break;
      } catch (error) {
        // Another process took the port between freePort() and the server's bind: try another one.
        const taken = /could not bind|Address already in use/i.test((error as Error).message);
        if (!taken || attempt >= START_ATTEMPTS) throw error;
      }
    }
    await query(urlOf(port, 'postgres'), `CREATE DATABASE ${DATABASE}`);
    const { rows } = await query<{ server_version: string }>(urlOf(port, DATABASE), 'SHOW server_version');

    const cluster: MadeCluster = {
      port,
      url: urlOf(port, DATABASE),
      folder,
      version: rows[0]?.server_version ?? 'unknown version',
      bindir,
      stop: async (mode = 'fast') => {
        if (!running) return;
        await pgCtlRun(['-m', mode, '-w', '-t', '60', 'stop']);
        running = false;
      },
      start: async () => {
        if (running) return;
        await startServer();
      },
      destroy: async () => {
        liveClusters.delete(cluster);
        try {
          await cluster.stop();
        } finally {
          await rm(folder, { recursive: true, force: true });
        }
      },
    };
    liveClusters.add(cluster);
    return cluster;
  } catch (error) {
    if (running) await pgCtlRun(['-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

const MISSING =
  'no initdb found (looked at pg_config --bindir, /usr/lib/postgresql/*/bin and PATH); ' +
  'install PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql) or set POSTGRES_URL';

async function bindirOrThrow(): Promise<string> {
  const bindir = await findBindir();
  if (bindir === undefined) throw new Error(`PostgreSQL is needed here, but ${MISSING}`);
  return bindir;
}

/** A throw-away cluster of the test's own (durable: fsync on), on a free loopback port. Destroy it in an after hook. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  return makeCluster(await bindirOrThrow(), { durable: true });
}

// ---------------------------------------------------------------------------------------------
// The run's shared server.

async function start(): Promise<Running | null> {
  const url = process.env.POSTGRES_URL;
  if (url !== undefined && url !== '') {
    return {
      url,
      description: 'POSTGRES_URL (a server of your own)',
      stop: async () => {
        if (schemas.size === 0) return;
        try {
          const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
          await client.connect();
          try {
            for (const name of schemas) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
          } finally {
            await client.end();
          }
        } catch {
          // Leftover test schemas are harmless; failing the run over them is not.
        }
      },
    };
  }
  const bindir = await findBindir();
  if (bindir === undefined) {
    if (process.env.REQUIRE_POSTGRES === 'true') throw new Error(`REQUIRE_POSTGRES=true, but ${MISSING}`);
    unavailableReason = MISSING;
    return null;
  }
  const started = Date.now();
  const cluster = await makeCluster(bindir, { durable: false });
  // Not a test's to destroy: stopSharedTestPostgres does.
  liveClusters.delete(cluster);
  return {
    url: cluster.url,
    description:
      `throw-away cluster (PostgreSQL ${cluster.version} from ${bindir}) at ${cluster.url}, ` +
      `started in ${Date.now() - started} ms; set POSTGRES_URL for a server of your own`,
    stop: () => cluster.destroy(),
  };
}

/** The run's PostgreSQL, started on first use; null (with unavailableReason) when none is installed. */
function sharedTestPostgres(): Promise<TestPostgres | null> {
  shared ??= start().then(
    (postgres) => {
      console.log(
        postgres === null
          ? `\n  [postgres] PostgreSQL tests skipped: ${unavailableReason}\n`
          : `\n  [postgres] PostgreSQL tests use: ${postgres.description}\n`,
      );
      return postgres;
    },
    (error: unknown) => {
      console.log(`\n  [postgres] PostgreSQL tests fail: no server (${(error as Error).message.split('\n')[0]})\n`);
      throw error;
    },
  );
  return shared;
}

/**
 * A schema name of its own for a test: lower-case, [a-z0-9_], at most 63 characters (PostgreSQL's limit),
 * unique per call. Tests isolate themselves by schema, not by database.
 */
export function uniqueSchemaName(label: string): string {
  const name = `test_${label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40)}_${randomBytes(5).toString('hex')}`;
  schemas.add(name);
  return name;
}

/** Stops what the run started (the shared cluster, and any cluster a test did not destroy) and removes its folders. Idempotent. */
export async function stopSharedTestPostgres(): Promise<void> {
  const current = shared;
  shared = undefined;
  const postgres = await current?.catch(() => null);
  try {
    await postgres?.stop();
  } finally {
    schemas.clear();
    for (const cluster of [...liveClusters]) await cluster.destroy();
  }
}

/**
 * A describe block whose tests get the run's PostgreSQL via `postgres()`. Without any PostgreSQL its
 * tests are skipped, the reason printed, unless REQUIRE_POSTGRES=true: then, as when the server does
 * not start, the block fails.
 */
export function describeWithPostgres(title: string, body: (postgres: () => TestPostgres) => void): void {
  describe(title, function () {
    let current: TestPostgres | null = null;
    before(async function () {
      this.timeout(60_000);
      current = await sharedTestPostgres();
      if (current === null) {
        console.log('      skipped: no PostgreSQL (see [postgres] above)');
        this.skip();
      }
    });
    body(() => {
      if (current === null) throw new Error('no PostgreSQL for this test');
      return current;
    });
  });
}
