import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientFor, sessionCookieOf, type Reply } from './http-client.js';
import type { TcpProxy } from './tcp-proxy.js';

/** A reply and how long it took. */
export interface Timed {
  readonly reply: Reply;
  readonly ms: number;
}

export async function timed(request: () => Promise<Reply>): Promise<Timed> {
  const started = Date.now();
  const reply = await request();
  return { reply, ms: Date.now() - started };
}

/** Retries a request until it answers with `status`: to wait for a driver or pool to reconnect. */
export async function eventually(request: () => Promise<Reply>, status: number, withinMs = 20_000): Promise<Reply> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const reply = await request();
    if (reply.status === status) return reply;
    if (Date.now() > deadline) throw new Error(`still ${reply.status} ${JSON.stringify(reply.body)} after ${withinMs} ms`);
    await sleep(200);
  }
}

/**
 * A 503 with Retry-After and the `{code, message}` body, quickly: the outage tests set the store's
 * timeout to 1 s, so the service gives up in about a second, never the driver's own 30 s.
 */
export function expectUnavailable({ reply, ms }: Timed): void {
  expect(reply.status, JSON.stringify(reply.body)).to.equal(503);
  expect(reply.body).to.have.all.keys('code', 'message');
  expect(reply.headers.get('retry-after')).to.match(/^\d+$/);
  expect(ms).to.be.lessThan(5000);
}

/** With a hung store: 1.5 × the store's 1 s timeout + 300 ms, about the timeout and far from the 4 × of hidden retries. */
const HUNG_BOUND_MS = 1.5 * 1000 + 300;

/**
 * The hung-store scenario, whichever store `proxy` fronts: a user registers and logs in; the proxy stops
 * forwarding (the server accepts but never answers); every request that needs the store answers 503
 * within HUNG_BOUND_MS and the process stays alive; once it forwards again, the service serves again.
 */
export async function expectHungStoreAnswers(url: string, proxy: TcpProxy, setting: string): Promise<void> {
  const [email, password] = ['dora@example.com', 'dora password'];
  const api = clientFor(url);
  expect((await api.post('/users', { form: { email, password } })).status).to.equal(200);
  const cookie = `session_id=${sessionCookieOf(await api.post('/sessions', { form: { email, password } }))}`;

  proxy.freeze();
  const profile = await timed(() => api.get('/profile', { cookie }));
  const logIn = await timed(() => api.post('/sessions', { form: { email, password } }));
  const registration = await timed(() => api.post('/users', { form: { email: 'eve@example.com', password } }));
  const notReady = await timed(() => api.get('/readyz'));
  console.log(
    `      hung store, ${setting}: GET /profile ${profile.ms} ms, POST /sessions ${logIn.ms} ms, ` +
      `POST /users ${registration.ms} ms, GET /readyz ${notReady.ms} ms (bound ${HUNG_BOUND_MS} ms)`,
  );
  for (const [what, answer] of Object.entries({ profile, logIn, registration })) {
    expectUnavailable(answer);
    expect(answer.ms, `${what} (ms)`).to.be.below(HUNG_BOUND_MS);
  }
  expect(notReady.reply.status).to.equal(503);
  expect(notReady.reply.body).to.deep.equal({ code: 'not_ready', message: 'not ready: the store does not answer' });
  expect(notReady.reply.headers.get('retry-after')).to.match(/^\d+$/);
  expect(notReady.ms, 'readyz (ms)').to.be.below(HUNG_BOUND_MS);
  expect((await api.get('/healthz')).status, 'the process is alive').to.equal(200);

  proxy.thaw();
  await eventually(() => api.get('/readyz'), 200);
  expect((await api.get('/profile', { cookie })).status).to.equal(200);
  expect((await api.post('/sessions', { form: { email, password } })).status).to.equal(200);
  // Another address: a registration held back while frozen may have been applied late.
  expect((await api.post('/users', { form: { email: 'fay@example.com', password } })).status).to.equal(200);
}
