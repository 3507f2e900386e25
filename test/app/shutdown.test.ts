import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { agentRequest, connectionRefused, jsonOf, sessionCookieOf } from '../support/http-client.js';
import { LOG_LEVELS, startServiceProcess, type ServiceProcess } from '../support/child-process.js';
import { describeForEachStore } from '../support/stores.js';
import { proxyInFrontOfMongo, type TcpProxy } from '../support/tcp-proxy.js';
import { describeWithMongo, uniqueDatabaseName } from '../support/test-mongo.js';

const EMAIL = 'in-flight@example.com';
const PASSWORD = 'in flight password';
const IN_FLIGHT = 20;
const HUNG_REQUESTS = 4;

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * A request that stays in flight for ever: headers promising 100 bytes of body, then only part of it.
 * Resolves once the service has had time to start reading it.
 */
async function stalledRequest(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const stalled = net.connect(Number(port), hostname);
  stalled.on('error', () => undefined);
  await once(stalled, 'connect');
  stalled.write(
    'POST /users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
      'Content-Length: 100\r\n\r\nemail=stalled%40example.com',
  );
  await sleep(300);
  return stalled;
}

// SIGTERM (what a supervisor or `docker stop` sends) must lose no request that was already accepted:
// the real entry point, in a child process, on each store.
describeForEachStore('graceful shutdown of the real process', (storeEnv, storeName) => {
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    await service?.kill();
    service = undefined;
  });

  it('answers every request in flight in full, refuses new connections meanwhile, closes the store and exits 0', async function () {
    this.timeout(90_000);
    // The production bcrypt cost: a log-in takes ~0.2 s of the thread pool (4 threads), so 20 of them
    // queue for a second or more. Rate limiting is off: it would refuse 20 log-ins to one account from one
    // address in a burst, and is not what this test is about.
    service = await startServiceProcess({ ...storeEnv(), BCRYPT_COST: '12', SHUTDOWN_TIMEOUT: '60s', RATE_LIMIT: 'off' });
    const { url } = service;
    // Kept-alive connections, as a reverse proxy's: after their answer, each one is idle and must not hold
    // the exit back until the keep-alive timeout (5 s).
    const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    try {
      const registered = await agentRequest(agent, url, 'POST', '/users', { form: { email: EMAIL, password: PASSWORD } });
      expect(registered.status, registered.text).to.equal(200);

      const logIns = Array.from({ length: IN_FLIGHT }, () =>
        agentRequest(agent, url, 'POST', '/sessions', { form: { email: EMAIL, password: PASSWORD } }),
      );
      // The signal goes as soon as a first answer is back: all 20 were sent well before (an answer takes a
      // whole bcrypt), and most of them are still waiting for the thread pool.
      await Promise.race(logIns);
      const signalledAt = Date.now();
      service.child.kill('SIGTERM');
      await waitFor(() => service?.output().includes('shutting down') ?? false, 10_000, 'the shutdown log line');
      expect(await connectionRefused(url), 'a new connection during the shutdown').to.equal(true);
      const refusedAt = Date.now();

      const replies = await Promise.all(logIns);
      const code = await service.exitCode(60_000);
      const exitedAt = Date.now();

      expect(code, service.output()).to.equal(0);
      const cookies = new Set<string>();
      for (const reply of replies) {
        expect(reply.status, reply.text).to.equal(200);
        expect(jsonOf(reply)).to.deep.equal({ email: EMAIL, message: 'logged in' });
        cookies.add(sessionCookieOf(reply) ?? '');
      }
      expect(cookies.size, 'one new session per log-in').to.equal(IN_FLIGHT);
      expect([...cookies]).not.to.include('');

      // Some log-ins were still in flight when new connections were already refused; those were told that
      // their connection closes after the answer.
      const late = replies.filter((reply) => reply.receivedAt > refusedAt);
      expect(late.length, 'answers received after the refused connection').to.be.greaterThan(0);
      for (const reply of late) expect(reply.headers.connection).to.equal('close');
      const lastAnswerAt = Math.max(...replies.map((reply) => reply.receivedAt));
      // Idle kept-alive connections are closed at once: no wait for the 5 s keep-alive timeout, nor for
      // SHUTDOWN_TIMEOUT.
      expect(exitedAt - lastAnswerAt, 'exit after the last answer (ms)').to.be.below(3000);
      console.log(
        `      [${storeName}] ${late.length} of ${IN_FLIGHT} log-ins answered after new connections were refused; ` +
          `exit ${exitedAt - lastAnswerAt} ms after the last answer, ${exitedAt - signalledAt} ms after SIGTERM`,
      );

      expect(await connectionRefused(url), 'a new connection after the exit').to.equal(true);
      const messages = service.logLines().map((line) => line.msg);
      expect(messages).to.include.members(['received SIGTERM', 'all requests in flight finished', 'store closed', 'stopped']);
      expect(service.logLines().find((line) => line.msg === 'store closed')).to.include({ store: storeName });
      expect(
        service.logLines().filter((line) => line.level >= LOG_LEVELS.error),
        service.output(),
      ).to.deep.equal([]);
    } finally {
      agent.destroy();
    }
  });

  it('cuts a request that never completes once SHUTDOWN_TIMEOUT has passed, and still exits 0', async function () {
    this.timeout(60_000);
    service = await startServiceProcess({ ...storeEnv(), SHUTDOWN_TIMEOUT: '1s' });
    const stalled = await stalledRequest(service.url);
    const stalledClosed = once(stalled, 'close');

    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    const code = await service.exitCode(30_000);
    const elapsed = Date.now() - signalledAt;

    expect(code, service.output()).to.equal(0);
    // It waited for the request (about 1 s), then cut it rather than wait for ever.
    expect(elapsed, 'exit after SIGTERM (ms)').to.be.within(800, 10_000);
    await stalledClosed;
    const cut = service.logLines().find((line) => line.msg.startsWith('shutdown timeout reached'));
    expect(cut, service.output()).to.include({ level: LOG_LEVELS.warn, cutRequests: 1, timeoutSeconds: 1 });
    expect(service.logLines().map((line) => line.msg)).to.include.members(['store closed', 'stopped']);
    console.log(`      [${storeName}] SHUTDOWN_TIMEOUT=1s: exited ${elapsed} ms after SIGTERM`);
  });

  it('takes the same signal twice within a moment (Ctrl-C to the group and npm’s copy) as one, and a later repeat as “exit now”', async function () {
    this.timeout(60_000);
    service = await startServiceProcess({ ...storeEnv(), SHUTDOWN_TIMEOUT: '30s' });
    // A request that stays in flight, so that the shutdown is still waiting when the signals come.
    const stalled = await stalledRequest(service.url);

    service.child.kill('SIGINT');
    service.child.kill('SIGINT');
    await sleep(700);
    expect(service.child.exitCode, 'the doubled signal did not end the process at once').to.equal(null);
    expect(service.logLines().filter((line) => line.msg === 'received SIGINT')).to.have.length(1);

    service.child.kill('SIGINT');
    expect(await service.exitCode(10_000), service.output()).to.equal(1);
    expect(service.logLines().map((line) => line.msg)).to.include(
      'received SIGINT again: exiting at once, without finishing the requests in flight',
    );
    stalled.destroy();
  });
});

// A hung database (it keeps the connections but never answers) must not hold the exit back: the request
// waiting on it is cut at SHUTDOWN_TIMEOUT, and closing the client is given up on a moment later.
describeWithMongo('shutdown of the real process with a hung MongoDB', (mongo) => {
  let service: ServiceProcess | undefined;
  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    await service?.kill();
    service = undefined;
    await proxy?.close();
    proxy = undefined;
  });

  it('cuts the request hung on the store at SHUTDOWN_TIMEOUT, gives up closing the store and exits 0 soon after', async function () {
    this.timeout(60_000);
    const through = await proxyInFrontOfMongo(mongo().uri);
    if (through === undefined) {
      console.log('      skipped: the proxy needs a single-host mongodb:// URI');
      this.skip();
    }
    proxy = through.proxy;
    // MONGODB_TIMEOUT longer than SHUTDOWN_TIMEOUT: the request is still waiting for the store when the
    // shutdown timeout cuts it.
    service = await startServiceProcess({
      STORE: 'mongodb',
      MONGODB_URI: through.uri,
      MONGODB_DB: uniqueDatabaseName('hung shutdown'),
      MONGODB_STARTUP_TIMEOUT: '10s',
      MONGODB_TIMEOUT: '5s',
      SHUTDOWN_TIMEOUT: '2s',
    });
    const agent = new http.Agent({ keepAlive: false, maxSockets: HUNG_REQUESTS });
    try {
      const { url } = service;
      expect((await agentRequest(agent, url, 'POST', '/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
      const logIn = await agentRequest(agent, url, 'POST', '/sessions', { form: { email: EMAIL, password: PASSWORD } });
      const cookie = `session_id=${sessionCookieOf(logIn) ?? ''}`;

      proxy.freeze();
      // Several at once, as under load: every pooled connection is then in use, so closing the client has
      // to open a new one (to end the server sessions), which a hung server never lets finish.
      const hung = Array.from({ length: HUNG_REQUESTS }, () =>
        agentRequest(agent, url, 'GET', '/profile', { cookie }).then(
          (reply) => `answered ${reply.status}`,
          (error: unknown) => `cut (${(error as Error).message})`,
        ),
      );
      await sleep(500);
      const signalledAt = Date.now();
      service.child.kill('SIGTERM');
      const code = await service.exitCode(30_000);
      const elapsed = Date.now() - signalledAt;
      const outcomes = await Promise.all(hung);
      console.log(
        `      [mongodb] hung store, SHUTDOWN_TIMEOUT=2s, MONGODB_TIMEOUT=5s: exited ${elapsed} ms after SIGTERM; ` +
          `${HUNG_REQUESTS} requests in flight: ${[...new Set(outcomes)].join(', ')}`,
      );

      expect(code, service.output()).to.equal(0);
      expect(elapsed, 'exit after SIGTERM (ms)').to.be.within(1800, 2000 + 1500);
      for (const outcome of outcomes) expect(outcome).to.match(/^cut/);
      const lines = service.logLines();
      expect(
        lines.find((line) => line.msg.startsWith('shutdown timeout reached')),
        service.output(),
      ).to.include({
        level: LOG_LEVELS.warn,
        cutRequests: HUNG_REQUESTS,
        timeoutSeconds: 2,
      });
      expect(
        lines.find((line) => line.msg.startsWith('store did not close')),
        service.output(),
      ).to.include({ level: LOG_LEVELS.warn, store: 'mongodb' });
      expect(lines.map((line) => line.msg)).to.include('stopped');
      expect(
        lines.filter((line) => line.level >= LOG_LEVELS.error),
        service.output(),
      ).to.deep.equal([]);
    } finally {
      agent.destroy();
    }
  });
});
