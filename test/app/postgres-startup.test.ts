import { expect } from 'chai';
import { freePort } from '../support/free-port.js';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { request } from '../support/http-client.js';
import { runServiceToExit, spawnChild, startServiceProcess, type RunningChild, type ServiceProcess } from '../support/child-process.js';
import { TEST_ENV } from '../support/test-server.js';
import { describeWithPostgres, startPostgresCluster, uniqueSchemaName, type PostgresCluster } from '../support/test-postgres.js';

/** The URL with its database (the path) replaced. */
function withDatabase(url: string, database: string): string {
  const changed = new URL(url);
  changed.pathname = `/${database}`;
  return changed.toString();
}

/** The URL with its user replaced. */
function withUser(url: string, user: string): string {
  const changed = new URL(url);
  changed.username = user;
  return changed.toString();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('start-up on PostgreSQL', function () {
  this.timeout(60_000);

  it('retries an unreachable server for PG_STARTUP_TIMEOUT, then exits 1 with one line naming the host, never the password', async () => {
    const port = await freePort();
    const { code, stderr, output, ms } = await runServiceToExit({
      STORE: 'postgres',
      DATABASE_URL: `postgres://auth:s3cr3t-pa55@127.0.0.1:${port}/auth`,
      PG_TIMEOUT: '1s',
      PG_STARTUP_TIMEOUT: '3s',
      LOG_LEVEL: 'info',
    });
    expect(code, output).to.equal(1);
    expect(ms).to.be.within(2500, 20_000);
    const lines = stderr.trim().split('\n');
    expect(lines, stderr).to.have.length(1);
    expect(lines[0]).to.contain(`127.0.0.1:${port}`);
    expect(output).not.to.contain('s3cr3t');
    expect(output, 'retries are logged').to.contain('PostgreSQL not reachable yet, retrying');
  });

  describeWithPostgres('with a server', (postgres) => {
    let cluster: PostgresCluster | undefined;
    const services: ServiceProcess[] = [];
    const children: RunningChild[] = [];

    afterEach(async () => {
      for (const service of [...services.splice(0), ...children.splice(0)]) await service.kill();
      await cluster?.destroy();
      cluster = undefined;
    });

    it('connects once a server that was down at start comes up within the retry window', async () => {
      const late = await startPostgresCluster();
      cluster = late;
      await late.stop();
      // Spawned by hand rather than with startServiceProcess (which resolves only once it listens): the
      // server is started 1.5 s after the service's first retry, so that it is down when the service starts.
      const service = spawnChild(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], {
        name: 'service',
        env: {
          PATH: process.env.PATH,
          ...TEST_ENV,
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'info',
          STORE: 'postgres',
          DATABASE_URL: late.url,
          PG_TIMEOUT: '1s',
          PG_STARTUP_TIMEOUT: '20s',
        },
      });
      children.push(service);
      await service.waitFor(/(PostgreSQL not reachable yet, retrying)/, 15_000);
      await sleep(1500);
      await late.start();
      const url = await service.waitFor(/"url":"(http:\/\/[^"]+)"/, 20_000);
      expect((await request(url, 'GET', '/readyz')).status).to.equal(200);
      const reply = await request(url, 'POST', '/users', { form: { email: 'late@example.com', password: 'late password' } });
      expect(reply.status).to.equal(200);
      expect(await service.stop()).to.equal(0);
    });

    for (const [what, url, driverSays] of [
      ['a database that does not exist (SQLSTATE 3D000)', () => withDatabase(postgres().url, 'no_such_database'), 'does not exist'],
      ['a role that does not exist (SQLSTATE 28000)', () => withUser(postgres().url, 'no_such_role'), 'no_such_role'],
    ] as const) {
      it(`exits 1 at once, not retrying for PG_STARTUP_TIMEOUT, on ${what}, with one line`, async () => {
        const { code, stderr, output, ms } = await runServiceToExit({
          STORE: 'postgres',
          DATABASE_URL: url(),
          PG_TIMEOUT: '1s',
          PG_STARTUP_TIMEOUT: '30s',
          LOG_LEVEL: 'info',
        });
        expect(code, output).to.equal(1);
        expect(ms, 'not retried for the 30 s').to.be.below(10_000);
        const lines = stderr.trim().split('\n');
        expect(lines, stderr).to.have.length(1);
        expect(lines[0])
          .to.contain(`127.0.0.1:${new URL(postgres().url).port}`)
          .and.to.contain(driverSays);
        expect(output, 'not retried').not.to.contain('not reachable yet, retrying');
      });
    }

    it('gives up, exits 1 with one line, when the server accepts the connection but hangs in the migration', async () => {
      // A relay that forwards the connection's start-up but nothing from the first transaction on: a server
      // that hangs mid-migration. pool.end() waits for the stuck client; unbounded, start-up hung forever.
      const target = Number(new URL(postgres().url).port);
      const sockets = new Set<net.Socket>();
      const relay = net.createServer((client) => {
        const upstream = net.connect(target, '127.0.0.1');
        let hung = false;
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', () => undefined);
        }
        client.on('data', (chunk: Buffer) => {
          if (chunk.includes('BEGIN')) hung = true;
          if (!hung) upstream.write(chunk);
        });
        upstream.on('data', (chunk: Buffer) => {
          if (!hung) client.write(chunk);
        });
      });
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      try {
        const url = new URL(postgres().url);
        url.port = String((relay.address() as net.AddressInfo).port);
        const { code, stderr, output, ms } = await runServiceToExit({
          STORE: 'postgres',
          DATABASE_URL: url.toString(),
          PG_SCHEMA: uniqueSchemaName('hung_migration'),
          PG_TIMEOUT: '1s',
          PG_STARTUP_TIMEOUT: '3s',
          LOG_LEVEL: 'info',
        });
        expect(code, output).to.equal(1);
        // One attempt's deadline (10 × PG_TIMEOUT) and the pool's bounded end, not runServiceToExit's 30 s kill.
        expect(ms).to.be.below(20_000);
        const lines = stderr.trim().split('\n');
        expect(lines, stderr).to.have.length(1);
        expect(lines[0]).to.contain(`127.0.0.1:${url.port}`).and.to.contain('does not answer');
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => relay.close(() => resolve()));
      }
    });

    it('logs the effective configuration with the password of DATABASE_URL redacted, its query too', async () => {
      const url = new URL(postgres().url);
      // Trust authentication: the server ignores the passwords, so the service starts.
      url.password = 's3cr3t-pa55';
      url.searchParams.set('password', 'qu3ry-s3cr3t');
      const service = await startServiceProcess({
        STORE: 'postgres',
        DATABASE_URL: url.toString(),
        PG_SCHEMA: uniqueSchemaName('redacted'),
        LOG_LEVEL: 'info',
      });
      services.push(service);
      const configuration = service.logLines().find((line) => line.msg === 'effective configuration');
      expect(configuration, service.output()).not.to.equal(undefined);
      const logged = JSON.stringify(configuration);
      expect(logged).to.contain('<password>');
      expect(logged).to.contain(`127.0.0.1:${url.port}`);
      expect(service.output()).not.to.contain('s3cr3t-pa55').and.not.to.contain('qu3ry-s3cr3t');
      expect(await service.stop()).to.equal(0);
      expect(service.output()).not.to.contain('s3cr3t-pa55').and.not.to.contain('qu3ry-s3cr3t');
    });

    it('starts two instances at once on an empty schema: both start, and each migration is recorded once', async () => {
      const schema = uniqueSchemaName('two_at_once');
      const env = { STORE: 'postgres', DATABASE_URL: postgres().url, PG_SCHEMA: schema, PG_TIMEOUT: '2s', LOG_LEVEL: 'info' };
      const started = await Promise.allSettled([startServiceProcess(env), startServiceProcess(env)]);
      for (const outcome of started) if (outcome.status === 'fulfilled') services.push(outcome.value);
      for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
      for (const service of services) expect((await request(service.url, 'GET', '/readyz')).status).to.equal(200);

      const rows = await query<{ version: number; count: string }>(
        postgres().url,
        `SELECT version, count(*) AS count FROM "${schema}".schema_migrations GROUP BY version ORDER BY version`,
      );
      expect(rows.length).to.be.greaterThan(0);
      expect(rows.map((row) => Number(row.count))).to.deep.equal(rows.map(() => 1));
      expect(rows.map((row) => row.version)).to.deep.equal(rows.map((_, index) => index + 1));

      // Each instance works on the tables the other may have made.
      const [first, second] = services;
      expect(
        (await request(first?.url ?? '', 'POST', '/users', { form: { email: 'one@example.com', password: 'one password' } })).status,
      ).to.equal(200);
      expect(
        (await request(second?.url ?? '', 'POST', '/sessions', { form: { email: 'one@example.com', password: 'one password' } })).status,
      ).to.equal(200);
      for (const service of services) expect(await service.stop()).to.equal(0);
    });
  });
});
