import { expect } from 'chai';
import { clientFor, type Reply } from '../support/http-client.js';
import { describeForEachStore } from '../support/stores.js';
import { describeWithMongo, uniqueDatabaseName } from '../support/test-mongo.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const EMAIL = 'tom@example.com';
const PASSWORD = 'tom password';

function expectThrottled(reply: Reply): void {
  expect(reply.status, JSON.stringify(reply.body)).to.equal(429);
  expect(reply.body).to.have.all.keys('message');
  expect(Number(reply.headers.get('retry-after'))).to.be.greaterThan(0);
}

describeForEachStore('throttling over HTTP', (storeEnv) => {
  const servers: TestServer[] = [];

  async function start(env: Record<string, string> = {}) {
    const server = await startTestServer({ env: { ...storeEnv(), ...env } });
    servers.push(server);
    return clientFor(server.url);
  }

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('answers 429 with Retry-After after 5 failed log-ins, and a success clears the count', async () => {
    const api = await start();
    await api.post('/users', { form: { email: EMAIL, password: PASSWORD } });
    for (let i = 0; i < 4; i += 1) expect((await api.post('/sessions', { form: { email: EMAIL, password: 'wrong' } })).status).to.equal(401);
    expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
    for (let i = 0; i < 5; i += 1) expect((await api.post('/sessions', { form: { email: EMAIL, password: 'wrong' } })).status).to.equal(401);
    const throttled = await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } });
    expectThrottled(throttled);
    expect(Number(throttled.headers.get('retry-after'))).to.be.within(1, 900);
  });

  it('limits each client address on every authentication route', async () => {
    const api = await start({ RATE_LIMIT_ADDRESS: '4/1m' });
    expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
    expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
    expect((await api.post('/reset_password', { form: { email: EMAIL } })).status).to.equal(200);
    expect((await api.put('/reset_password', { form: { email: EMAIL, reset_token: 'x', new_password: 'new password' } })).status).to.equal(403);
    expectThrottled(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }));
    expectThrottled(await api.post('/users', { form: { email: 'x@example.com', password: PASSWORD } }));
    expect((await api.get('/')).status, 'other routes are not throttled').to.equal(200);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY=true, then limits each forwarded address', async () => {
    const direct = await start({ RATE_LIMIT_ADDRESS: '2/1m' });
    const spoof = (n: number) => ({ form: { email: EMAIL, password: 'wrong' }, headers: { 'x-forwarded-for': `198.51.100.${n}` } });
    await direct.post('/sessions', spoof(1));
    await direct.post('/sessions', spoof(2));
    expectThrottled(await direct.post('/sessions', spoof(3)));

    const proxied = await start({ RATE_LIMIT_ADDRESS: '2/1m', TRUST_PROXY: 'true' });
    for (let n = 1; n <= 5; n += 1) expect((await proxied.post('/sessions', spoof(n))).status).to.equal(401);
    await proxied.post('/sessions', spoof(1));
    expectThrottled(await proxied.post('/sessions', spoof(1)));
  });

  it('counts nothing with RATE_LIMIT=off', async () => {
    const api = await start({ RATE_LIMIT: 'off' });
    for (let i = 0; i < 120; i += 1) expect((await api.post('/sessions', { form: { email: EMAIL, password: 'wrong' } })).status).to.equal(401);
  });
});

describeWithMongo('throttling across instances sharing one MongoDB', (mongo) => {
  const servers: TestServer[] = [];

  after(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('holds the limits across two instances of the service', async () => {
    const env = { STORE: 'mongodb', MONGODB_URI: mongo().uri, MONGODB_DB: uniqueDatabaseName('shared_limits') };
    servers.push(await startTestServer({ env }), await startTestServer({ env }));
    const [first, second] = servers.map((server) => clientFor(server.url));
    if (first === undefined || second === undefined) throw new Error('two servers expected');
    await first.post('/users', { form: { email: EMAIL, password: PASSWORD } });
    for (let i = 0; i < 5; i += 1) {
      const api = i % 2 === 0 ? first : second;
      expect((await api.post('/sessions', { form: { email: EMAIL, password: 'wrong' } })).status).to.equal(401);
    }
    expectThrottled(await second.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }));
    expectThrottled(await first.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }));
  });
});
