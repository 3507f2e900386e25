import { expect } from 'chai';
import { capturedLogger } from '../../support/captured-logger.js';
import { eventually, expectHungStoreAnswers, expectUnavailable, timed } from '../../support/outage.js';
import { clientFor, sessionCookieOf } from '../../support/http-client.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { describeWithPostgres, startPostgresCluster, uniqueSchemaName, type PostgresCluster } from '../../support/test-postgres.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const EMAIL = 'dora@example.com';
const PASSWORD = 'dora password';
const OUTAGE_ENV = { STORE: 'postgres', PG_TIMEOUT: '1s', PG_STARTUP_TIMEOUT: '10s' };

/** A proxy in front of the PostgreSQL server of `url` (host and port), and the same URL through it. */
async function proxyInFrontOfPostgres(url: string): Promise<{ proxy: TcpProxy; url: string }> {
  const original = new URL(url);
  const proxy = await TcpProxy.start(original.hostname, Number(original.port === '' ? 5432 : original.port));
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return { proxy, url: proxied.toString() };
}

describe('when the PostgreSQL database fails', function () {
  this.timeout(90_000);

  // describeWithPostgres only for its skip (or REQUIRE_POSTGRES failure) without PostgreSQL: each test has a cluster of its own.
  describeWithPostgres('the server is stopped mid-run and restarted on the same port and data folder', () => {
    let cluster: PostgresCluster | undefined;
    let server: TestServer | undefined;

    afterEach(async () => {
      await server?.close();
      server = undefined;
      await cluster?.destroy();
      cluster = undefined;
    });

    for (const mode of ['fast', 'immediate'] as const) {
      it(`(pg_ctl stop -m ${mode}) answers 503 with Retry-After quickly, stays up, and serves the old session again once it is back`, async () => {
        cluster = await startPostgresCluster();
        const log = capturedLogger('warn');
        server = await startTestServer({ env: { ...OUTAGE_ENV, DATABASE_URL: cluster.url }, logger: log.logger });
        const api = clientFor(server.url);
        expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
        const session = sessionCookieOf(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }));
        const cookie = `session_id=${session}`;
        expect((await api.get('/profile', { cookie })).status).to.equal(200);

        // The pool holds idle connections now: the server ending them must not crash the process (an 'error' listener).
        await cluster.stop(mode);
        expectUnavailable(await timed(() => api.get('/profile', { cookie })));
        expectUnavailable(await timed(() => api.post('/users', { form: { email: 'eve@example.com', password: PASSWORD } })));
        expectUnavailable(await timed(() => api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })));
        expect((await api.get('/')).status, 'routes without the store still answer').to.equal(200);
        expect((await api.get('/healthz')).status, 'the process is alive').to.equal(200);
        const notReady = await timed(() => api.get('/readyz'));
        expect(notReady.reply.status).to.equal(503);
        expect(notReady.reply.body).to.deep.equal({ code: 'not_ready', message: 'not ready: the store does not answer' });
        expect(notReady.reply.headers.get('retry-after')).to.match(/^\d+$/);
        expect(notReady.ms).to.be.lessThan(5000);

        await cluster.start();
        // PostgreSQL keeps its data: the session made before the outage is valid again.
        await eventually(() => api.get('/profile', { cookie }), 200);
        expect((await api.get('/readyz')).status).to.equal(200);
        expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
        expect((await api.post('/users', { form: { email: 'eve@example.com', password: PASSWORD } })).status).to.equal(200);
        const again = await api.post('/users', { form: { email: EMAIL, password: PASSWORD } });
        expect((again.body as { code: string }).code, 'the old user is still there').to.equal('email_taken');
        const idle = log.lines().filter((line) => line.msg === 'a PostgreSQL connection failed while idle; the pool opens a new one');
        expect(idle, 'the idle connections the server ended were logged, not fatal').not.to.be.empty;
      });
    }
  });

  describeWithPostgres('the database hangs: it keeps the connections but never answers, then recovers', (postgres) => {
    let proxy: TcpProxy | undefined;
    let server: TestServer | undefined;

    afterEach(async () => {
      proxy?.thaw();
      await server?.close();
      await proxy?.close();
      server = undefined;
      proxy = undefined;
    });

    it('answers 503 with Retry-After within about PG_TIMEOUT, with no retry multiplying it, and serves again once it answers', async () => {
      const through = await proxyInFrontOfPostgres(postgres().url);
      proxy = through.proxy;
      server = await startTestServer({ env: { ...OUTAGE_ENV, DATABASE_URL: through.url, PG_SCHEMA: uniqueSchemaName('hang') } });
      await expectHungStoreAnswers(server.url, proxy, 'PG_TIMEOUT=1s');
    });
  });
});
