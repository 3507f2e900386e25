import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { runToExit, startServiceProcess, type Finished, type ServiceProcess } from '../support/child-process.js';
import { agentRequest } from '../support/http-client.js';
import { uniqueSqlitePath } from '../support/test-sqlite.js';

// `npm run backup -- <destination>` (src/app/backup.ts): SQLite's online backup of the database the service
// uses, safe while the service runs and writes.

const PASSWORD = 'backed up password';
const BEFORE = 'before-backup@example.com';
const LINE = /^backed up (.+) to (.+) \((\d+) pages\)\n$/;

/** Only PATH from the test's environment, as for the service: a variable set there must not leak in. */
const backupEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, ...env });

function runBackup(env: Record<string, string>, args: readonly string[]): Promise<Finished> {
  return runToExit(process.execPath, ['--import', 'tsx', 'src/app/backup.ts', ...args], { name: 'backup', env: backupEnv(env) });
}

function integrityOf(file: string): unknown {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

function userCount(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users').get()!.n;
  } finally {
    db.close();
  }
}

describe('npm run backup (SQLite online backup)', () => {
  const services: ServiceProcess[] = [];

  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.kill()));
  });

  it('copies the database of a running service under registrations; the copy is sound and serves its accounts', async function () {
    this.timeout(90_000);
    const source = uniqueSqlitePath('backup source');
    const destination = uniqueSqlitePath('backup copy');
    const service = await startServiceProcess({ STORE: 'sqlite', SQLITE_PATH: source, RATE_LIMIT: 'off' });
    services.push(service);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const before = await agentRequest(agent, service.url, 'POST', '/users', { form: { email: BEFORE, password: PASSWORD } });
      expect(before.status, before.text).to.equal(200);

      // Registrations go on while the backup runs.
      let loading = true;
      let registered = 1;
      const load = Array.from({ length: 8 }, async (_, connection) => {
        for (let n = 0; loading; n++) {
          const reply = await agentRequest(agent, service.url, 'POST', '/users', {
            form: { email: `during-${connection}-${n}@example.com`, password: PASSWORD },
          });
          expect(reply.status, reply.text).to.equal(200);
          registered++;
        }
      });
      // Under way before the backup starts.
      while (registered < 20) await sleep(10);
      const registeredAtStart = registered;
      const backup = await runBackup({ STORE: 'sqlite', SQLITE_PATH: source }, [destination]);
      const registeredAtEnd = registered;
      loading = false;
      await Promise.all(load);

      expect(backup.code, backup.output).to.equal(0);
      expect(backup.stderr, backup.output).to.equal('');
      const match = LINE.exec(backup.output);
      expect(match, backup.output).to.not.equal(null);
      expect(match?.[1]).to.equal(source);
      expect(match?.[2]).to.equal(destination);
      const pages = Number(match?.[3]);
      expect(pages).to.be.greaterThan(0);

      expect(integrityOf(destination)).to.equal('ok');
      const copied = userCount(destination);
      // One consistent state from during the backup: at least what was registered before it started.
      expect(copied).to.be.within(registeredAtStart, registeredAtEnd + 8);
      expect(registeredAtEnd, 'registrations made while the backup ran').to.be.greaterThan(registeredAtStart);

      const fromCopy = await startServiceProcess({ STORE: 'sqlite', SQLITE_PATH: destination });
      services.push(fromCopy);
      const logIn = await agentRequest(agent, fromCopy.url, 'POST', '/sessions', { form: { email: BEFORE, password: PASSWORD } });
      expect(logIn.status, logIn.text).to.equal(200);
      console.log(
        `      backup of a running service in ${backup.ms} ms: ${pages} pages, ${copied} users in the copy ` +
          `(${registeredAtStart} registered before it started, ${registeredAtEnd} when it ended); the copy serves log-ins`,
      );
    } finally {
      agent.destroy();
    }
  });

  it('works through the npm script (the build included)', async function () {
    this.timeout(90_000);
    const source = uniqueSqlitePath('npm backup source');
    const destination = uniqueSqlitePath('npm backup copy');
    const service = await startServiceProcess({ STORE: 'sqlite', SQLITE_PATH: source });
    services.push(service);
    const agent = new http.Agent({ keepAlive: false });
    try {
      const before = await agentRequest(agent, service.url, 'POST', '/users', { form: { email: BEFORE, password: PASSWORD } });
      expect(before.status, before.text).to.equal(200);
    } finally {
      agent.destroy();
    }
    const backup = await runToExit('npm', ['run', '--silent', 'backup', '--', destination], {
      name: 'npm run backup',
      env: backupEnv({ STORE: 'sqlite', SQLITE_PATH: source }),
    });
    expect(backup.code, backup.output).to.equal(0);
    expect(backup.output).to.match(LINE);
    expect(integrityOf(destination)).to.equal('ok');
    expect(userCount(destination)).to.equal(1);
  });

  describe('refuses, exits 1 and says why in one line', () => {
    const refusal = async (env: Record<string, string>, args: readonly string[], message: RegExp): Promise<void> => {
      const result = await runBackup(env, args);
      expect(result.code, result.output).to.equal(1);
      expect(result.output, 'nothing on stdout').to.equal(result.stderr);
      expect(result.stderr.split('\n'), result.stderr).to.have.length(2); // one line, and the final newline
      expect(result.stderr).to.match(message);
    };

    it('without a destination', async () => {
      await refusal({ STORE: 'sqlite', SQLITE_PATH: uniqueSqlitePath('no destination') }, [], /no destination given/);
    });

    it('with a destination that already exists, which it leaves alone', async () => {
      const destination = uniqueSqlitePath('existing');
      writeFileSync(destination, 'not to be overwritten');
      await refusal({ STORE: 'sqlite', SQLITE_PATH: uniqueSqlitePath('existing source') }, [destination], /already exists/);
      expect(readFileSync(destination, 'utf8')).to.equal('not to be overwritten');
    });

    it('with another store than SQLite', async () => {
      await refusal({ STORE: 'memory' }, [uniqueSqlitePath('memory')], /STORE=memory/);
    });

    it('with a source database that does not exist', async () => {
      await refusal(
        { STORE: 'sqlite', SQLITE_PATH: uniqueSqlitePath('missing source') },
        [uniqueSqlitePath('missing copy')],
        /does not exist/,
      );
    });
  });
});
