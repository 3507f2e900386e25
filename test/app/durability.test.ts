import http from 'node:http';
import { expect } from 'chai';
import { startServiceProcess, type ServiceProcess } from '../support/child-process.js';
import { formBody } from '../support/http-client.js';
import { describeWithPostgres, uniqueSchemaName } from '../support/test-postgres.js';
import { uniqueSqlitePath } from '../support/test-sqlite.js';

// The acceptance criterion: during a registration load, `kill -9` the service; after a restart every
// registration that was answered 200 is there and can log in. The real entry point, in a child process, on
// the durable stores. The process is killed, not the machine: for PostgreSQL it is the service that dies,
// not the database server (the shared test cluster runs with fsync off, which a process kill does not test).

const CONNECTIONS = 20;
/**
 * The kill comes once this many registrations were answered 200, or after KILL_AFTER_MS once at least
 * AT_LEAST_ACKNOWLEDGED were (a busy machine is slower), and at the latest after KILL_AT_THE_LATEST_MS.
 */
const KILL_AFTER_ACKNOWLEDGED = 400;
const KILL_AFTER_MS = 1500;
const AT_LEAST_ACKNOWLEDGED = 50;
const KILL_AT_THE_LATEST_MS = 20_000;
const PASSWORD = 'durable password';

type Outcome =
  { readonly kind: 'answered'; readonly status: number; readonly text: string } | { readonly kind: 'failed'; readonly error: string };

/** A form POST that resolves in every case: answered (with the status), or failed (the connection reset by the kill, say). */
function post(agent: http.Agent, url: string, path: string, form: Record<string, string>): Promise<Outcome> {
  const body = formBody(form);
  return new Promise((resolve) => {
    const failed = (error: Error): void => resolve({ kind: 'failed', error: error.message });
    const req = http.request(
      new URL(path, url),
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', failed);
        res.on('aborted', () => failed(new Error('response aborted')));
        res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', failed);
    req.end(body);
  });
}

interface LoadResult {
  readonly acknowledged: string[];
  /** Answered, but not 200: none is expected. */
  readonly refused: string[];
  /** Requests in flight when the signal went. */
  readonly inFlightAtKill: number;
  /** Requests that failed (the connection reset by the kill): unknown, neither counted nor required. */
  readonly failed: number;
  readonly sent: number;
  readonly killedAfterMs: number;
}

/** Registrations over CONNECTIONS connections until the kill; SIGKILL goes while requests are in flight. */
async function registerUntilKilled(service: ServiceProcess, label: string): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const acknowledged: string[] = [];
  const refused: string[] = [];
  let failed = 0;
  let sent = 0;
  let inFlight = 0;
  let inFlightAtKill = -1;
  let killed = false;
  const started = Date.now();
  let killedAfterMs = 0;

  const kill = (): void => {
    if (killed) return;
    killed = true;
    inFlightAtKill = inFlight;
    killedAfterMs = Date.now() - started;
    service.child.kill('SIGKILL');
  };
  const timer = setTimeout(kill, KILL_AT_THE_LATEST_MS);

  const worker = async (connection: number): Promise<void> => {
    for (let n = 0; !killed; n++) {
      const email = `${label}-${connection}-${n}@example.com`;
      sent++;
      inFlight++;
      const outcome = await post(agent, service.url, '/users', { email, password: PASSWORD });
      inFlight--;
      if (outcome.kind === 'failed') {
        failed++;
        // Before the kill a failure is a failure of the service; after it, the expected reset.
        if (!killed) refused.push(`${email}: ${outcome.error}`);
        continue;
      }
      if (outcome.status === 200) {
        acknowledged.push(email);
        const enough = acknowledged.length >= KILL_AFTER_ACKNOWLEDGED;
        if (enough || (Date.now() - started >= KILL_AFTER_MS && acknowledged.length >= AT_LEAST_ACKNOWLEDGED)) kill();
      } else {
        refused.push(`${email}: ${outcome.status} ${outcome.text.slice(0, 200)}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, connection) => worker(connection)));
  } finally {
    clearTimeout(timer);
    agent.destroy();
  }
  return { acknowledged, refused, inFlightAtKill, failed, sent, killedAfterMs };
}

/** Logs in with each email, CONNECTIONS at a time; answers those that did not get a 200, with what they got. */
async function failedLogIns(url: string, emails: readonly string[]): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < emails.length) {
      const email = emails[next++]!;
      const outcome = await post(agent, url, '/sessions', { email, password: PASSWORD });
      if (outcome.kind === 'failed') failures.push(`${email}: ${outcome.error}`);
      else if (outcome.status !== 200) failures.push(`${email}: ${outcome.status} ${outcome.text.slice(0, 200)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  } finally {
    agent.destroy();
  }
  return failures;
}

function describeKillNine(title: string, storeEnv: () => Record<string, string>): void {
  describe(`kill -9 during a registration load [${title}]`, () => {
    let service: ServiceProcess | undefined;

    afterEach(async () => {
      await service?.kill();
      service = undefined;
    });

    it('keeps every registration answered 200: each one logs in after a restart', async function () {
      this.timeout(90_000);
      // The same store (file, or schema) for both processes.
      const env = { ...storeEnv(), RATE_LIMIT: 'off' };
      service = await startServiceProcess(env);
      const load = await registerUntilKilled(service, title.replace(/[^a-z0-9]/gi, ''));
      const [code, signal] = await service.exit(10_000);
      expect({ code, signal }, service.output()).to.deep.equal({ code: null, signal: 'SIGKILL' });

      expect(load.refused, 'registrations refused or failed before the kill').to.deep.equal([]);
      expect(load.acknowledged.length, 'registrations answered 200 before the kill').to.be.at.least(AT_LEAST_ACKNOWLEDGED);
      // Not vacuous: the process died under load, with requests on their way that never got an answer.
      expect(load.inFlightAtKill, 'requests in flight when SIGKILL went').to.be.greaterThan(0);
      expect(load.failed, 'requests cut by the kill').to.be.greaterThan(0);

      service = await startServiceProcess(env);
      const restartedAt = Date.now();
      const failures = await failedLogIns(service.url, load.acknowledged);
      const checkMs = Date.now() - restartedAt;
      expect(failures, `acknowledged registrations that do not log in after the restart (${failures.length})`).to.deep.equal([]);
      console.log(
        `      [${title}] ${load.acknowledged.length} registrations acknowledged before kill -9 ` +
          `(after ${load.killedAfterMs} ms, ${load.inFlightAtKill} in flight, ${load.failed} cut), ` +
          `all ${load.acknowledged.length} log in after restart (checked in ${checkMs} ms)`,
      );
    });
  });
}

describeKillNine('sqlite', () => ({ STORE: 'sqlite', SQLITE_PATH: uniqueSqlitePath('kill -9') }));
describeKillNine('sqlite, SQLITE_SYNCHRONOUS=normal', () => ({
  STORE: 'sqlite',
  SQLITE_PATH: uniqueSqlitePath('kill -9 normal'),
  SQLITE_SYNCHRONOUS: 'normal',
}));
describeWithPostgres('kill -9 [postgres]', (postgres) =>
  describeKillNine('postgres', () => ({
    STORE: 'postgres',
    DATABASE_URL: postgres().url,
    PG_SCHEMA: uniqueSchemaName('kill -9'),
    PG_STARTUP_TIMEOUT: '10s',
  })),
);
