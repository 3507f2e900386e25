import { expect } from 'chai';
import { eventually, expectHungStoreAnswers, expectUnavailable, timed } from '../../support/outage.js';
import { clientFor, sessionCookieOf, type Client } from '../../support/http-client.js';
import { jongodbBinary, startJongodb, type Jongodb } from '../../support/jongodb.js';
import { proxyInFrontOfMongo, type TcpProxy } from '../../support/tcp-proxy.js';
import { describeWithMongo, uniqueDatabaseName } from '../../support/test-mongo.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const EMAIL = 'dora@example.com';
const PASSWORD = 'dora password';
const OUTAGE_ENV = { STORE: 'mongodb', MONGODB_TIMEOUT: '1s', MONGODB_STARTUP_TIMEOUT: '10s' };

describe('when the database fails', function () {
  this.timeout(90_000);

  describe('the test database is stopped mid-run and restarted on the same port', () => {
    let database: Jongodb | undefined;
    let server: TestServer | undefined;

    before(function () {
      if (jongodbBinary() === undefined) {
        console.log('      skipped: stopping and restarting a database needs the jongodb stand-in (Linux x64)');
        this.skip();
      }
    });

    afterEach(async () => {
      await server?.close();
      await database?.stop();
    });

    it('answers 503 with Retry-After quickly, stays up, and serves again once the database is back', async () => {
      const binary = jongodbBinary() ?? '';
      database = await startJongodb(binary);
      server = await startTestServer({ env: { ...OUTAGE_ENV, MONGODB_URI: database.uri, MONGODB_DB: 'outage' } });
      const api = clientFor(server.url);
      expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
      const session = sessionCookieOf(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }));

      await database.stop();
      expectUnavailable(await timed(() => api.get('/profile', { cookie: `session_id=${session}` })));
      expectUnavailable(await timed(() => api.post('/users', { form: { email: 'eve@example.com', password: PASSWORD } })));
      expectUnavailable(await timed(() => api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })));
      expect((await api.get('/')).status, 'routes without the store still answer').to.equal(200);
      expect((await api.get('/healthz')).status, 'the process is alive').to.equal(200);
      const notReady = await timed(() => api.get('/readyz'));
      expect(notReady.reply.status).to.equal(503);
      expect(notReady.reply.body).to.deep.equal({ code: 'not_ready', message: 'not ready: the store does not answer' });
      expect(notReady.ms).to.be.lessThan(5000);

      database = await startJongodb(binary, database.port);
      // The stand-in keeps its data in memory, so it comes back empty: the old session is unknown now.
      await eventually(() => api.get('/profile', { cookie: `session_id=${session}` }), 403);
      expect((await api.get('/readyz')).status).to.equal(200);
      expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
      expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
    });
  });

  describeWithMongo('the connection to a database that keeps its data is cut and restored', (mongo) => {
    let proxy: TcpProxy;
    let server: TestServer;
    let api: Client;

    beforeEach(async function () {
      const through = await proxyInFrontOfMongo(mongo().uri);
      if (through === undefined) {
        console.log('      skipped: the outage proxy needs a single-host mongodb:// URI');
        this.skip();
      }
      proxy = through.proxy;
      server = await startTestServer({ env: { ...OUTAGE_ENV, MONGODB_URI: through.uri, MONGODB_DB: uniqueDatabaseName('outage') } });
      api = clientFor(server.url);
    });

    afterEach(async () => {
      await server.close();
      await proxy.close();
    });

    it('leaves nothing half-written: a failed registration leaves no user, a failed reset keeps the old password and token', async () => {
      expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
      const reset = await api.post('/reset_password', { form: { email: EMAIL } });
      const token = (reset.body as { reset_token: string }).reset_token;

      await proxy.cut();
      expectUnavailable(await timed(() => api.post('/users', { form: { email: 'eve@example.com', password: PASSWORD } })));
      expectUnavailable(
        await timed(() => api.put('/reset_password', { form: { email: EMAIL, reset_token: token, new_password: 'new password' } })),
      );
      await proxy.restore();

      await eventually(() => api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }), 200);
      expect((await api.post('/sessions', { form: { email: 'eve@example.com', password: PASSWORD } })).status).to.equal(401);
      expect((await api.post('/users', { form: { email: 'eve@example.com', password: PASSWORD } })).status).to.equal(200);
      const done = await api.put('/reset_password', { form: { email: EMAIL, reset_token: token, new_password: 'new password' } });
      expect(done.status).to.equal(200);
    });
  });

  describeWithMongo('the database hangs: it keeps the connections but never answers, then recovers', (mongo) => {
    let proxy: TcpProxy | undefined;
    let server: TestServer | undefined;

    afterEach(async () => {
      proxy?.thaw();
      await server?.close();
      await proxy?.close();
    });

    it('answers 503 with Retry-After within about MONGODB_TIMEOUT, with no retry multiplying it, and serves again once it answers', async function () {
      const through = await proxyInFrontOfMongo(mongo().uri);
      if (through === undefined) {
        console.log('      skipped: the outage proxy needs a single-host mongodb:// URI');
        this.skip();
      }
      proxy = through.proxy;
      server = await startTestServer({ env: { ...OUTAGE_ENV, MONGODB_URI: through.uri, MONGODB_DB: uniqueDatabaseName('hang') } });
      await expectHungStoreAnswers(server.url, proxy, 'MONGODB_TIMEOUT=1s');
    });
  });
});
