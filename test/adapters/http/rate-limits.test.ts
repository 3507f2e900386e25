import { expect } from 'chai';
import { startAppendingProxy, type AppendingProxy } from '../../support/appending-proxy.js';
import { clientFor, type Reply } from '../../support/http-client.js';
import { describeForEachStore } from '../../support/stores.js';
import { describeWithMongo, uniqueDatabaseName } from '../../support/test-mongo.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const EMAIL = 'tom@example.com';
const PASSWORD = 'tom password';

function expectRateLimited(reply: Reply): void {
  expect(reply.status, JSON.stringify(reply.body)).to.equal(429);
  expect(reply.body).to.have.all.keys('code', 'message');
  expect(Number(reply.headers.get('retry-after'))).to.be.greaterThan(0);
}

describeForEachStore('rate limiting over HTTP', (storeEnv) => {
  const servers: TestServer[] = [];

  async function start(env: Record<string, string> = {}) {
    const server = await startTestServer({ env: { ...storeEnv(), ...env } });
    servers.push(server);
    return clientFor(server.url);
  }

  const proxies: AppendingProxy[] = [];

  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  /** A client reaching `serverUrl` through a chain of appending proxies, the outermost seeing it as seenAs[0]. */
  async function throughProxies(serverUrl: string, seenAs: string[]) {
    let url = serverUrl;
    for (const address of [...seenAs].reverse()) {
      const proxy = await startAppendingProxy(url, address);
      proxies.push(proxy);
      url = proxy.url;
    }
    return clientFor(url);
  }

  async function server(env: Record<string, string>): Promise<string> {
    const started = await startTestServer({ env: { ...storeEnv(), ...env } });
    servers.push(started);
    return started.url;
  }

  it('answers 429 with Retry-After after 5 failed log-ins, and a success clears the count', async () => {
    const api = await start();
    await api.post('/users', { form: { email: EMAIL, password: PASSWORD } });
    for (let i = 0; i < 4; i += 1)
      expect((await api.post('/sessions', { form: { email: EMAIL, password: 'wrong' } })).status).to.equal(401);
    expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
    for (let i = 0; i < 5; i += 1)
      expect((await api.post('/sessions', { form: { email: EMAIL, password: 'wrong' } })).status).to.equal(401);
    const rateLimited = await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } });
    expectRateLimited(rateLimited);
    expect(Number(rateLimited.headers.get('retry-after'))).to.be.within(1, 900);
  });

  it('limits each client address on every authentication route', async () => {
    const api = await start({ RATE_LIMIT_ADDRESS: '4/1m' });
    expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
    expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
    expect((await api.post('/reset_password', { form: { email: EMAIL } })).status).to.equal(200);
    expect((await api.put('/reset_password', { form: { email: EMAIL, reset_token: 'x', new_password: 'new password' } })).status).to.equal(
      403,
    );
    expectRateLimited(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }));
    expectRateLimited(await api.post('/users', { form: { email: 'x@example.com', password: PASSWORD } }));
    expect((await api.get('/')).status, 'other routes are not rate-limited').to.equal(200);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY=true, then limits each forwarded address', async () => {
    const direct = await start({ RATE_LIMIT_ADDRESS: '2/1m' });
    const spoof = (n: number) => ({ form: { email: EMAIL, password: 'wrong' }, headers: { 'x-forwarded-for': `198.51.100.${n}` } });
    await direct.post('/sessions', spoof(1));
    await direct.post('/sessions', spoof(2));
    expectRateLimited(await direct.post('/sessions', spoof(3)));

    const proxied = await start({ RATE_LIMIT_ADDRESS: '2/1m', TRUST_PROXY: 'true' });
    for (let n = 1; n <= 5; n += 1) expect((await proxied.post('/sessions', spoof(n))).status).to.equal(401);
    await proxied.post('/sessions', spoof(1));
    expectRateLimited(await proxied.post('/sessions', spoof(1)));
  });

  it('behind an appending proxy, counts the address the proxy saw, whatever X-Forwarded-For the client sends', async () => {
    const url = await server({ RATE_LIMIT_ADDRESS: '3/1m', TRUST_PROXY: 'true' });
    const api = await throughProxies(url, ['198.51.100.20']);
    const forged = (n: number) => ({
      form: { email: EMAIL, password: 'wrong' },
      headers: { 'x-forwarded-for': `203.0.113.${n}, 10.0.0.${n}` },
    });
    for (let n = 1; n <= 3; n += 1) expect((await api.post('/sessions', forged(n))).status).to.equal(401);
    expectRateLimited(await api.post('/sessions', forged(4)));
    expectRateLimited(await api.post('/sessions', { form: { email: EMAIL, password: 'wrong' } }));
    // Another client behind the same proxy is another address.
    const other = await throughProxies(url, ['198.51.100.21']);
    expect((await other.post('/sessions', forged(9))).status).to.equal(401);
  });

  it('with TRUST_PROXY_HOPS=2, counts the address the outer of two proxies saw', async () => {
    const url = await server({ RATE_LIMIT_ADDRESS: '2/1m', TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2' });
    // The outer proxy sees the client as 198.51.100.30; the inner one sees the outer proxy.
    const api = await throughProxies(url, ['198.51.100.30', '10.0.0.2']);
    const forged = (n: number) => ({ form: { email: EMAIL, password: 'wrong' }, headers: { 'x-forwarded-for': `203.0.113.${n}` } });
    for (let n = 1; n <= 2; n += 1) expect((await api.post('/sessions', forged(n))).status).to.equal(401);
    expectRateLimited(await api.post('/sessions', forged(3)));
    // A second client reaching the same inner proxy through the same outer one, but seen as another address.
    const sameInner = await throughProxies(url, ['198.51.100.31', '10.0.0.2']);
    expect((await sameInner.post('/sessions', forged(1))).status).to.equal(401);
  });

  it('counts nothing with RATE_LIMIT=off', async () => {
    const api = await start({ RATE_LIMIT: 'off' });
    for (let i = 0; i < 120; i += 1)
      expect((await api.post('/sessions', { form: { email: EMAIL, password: 'wrong' } })).status).to.equal(401);
  });
});

describeWithMongo('rate limiting across instances sharing one MongoDB', (mongo) => {
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
    expectRateLimited(await second.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }));
    expectRateLimited(await first.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }));
  });
});
