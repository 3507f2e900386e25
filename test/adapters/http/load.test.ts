import http from 'node:http';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { TOKENS } from '../../../src/app/tokens.js';
import { agentRequest, jsonOf, sessionCookieOf, type AgentReply, type AgentRequest } from '../../support/http-client.js';
import { describeForEachStore } from '../../support/stores.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

// Bounded in count and in time, on loopback only: 1,000 registrations then 1,000 log-ins over 50
// concurrent kept-alive connections, then checks that every answer went to the right client.
const USERS = 1000;
const CONNECTIONS = 50;
const PASSWORD = 'load test password';

const emailOf = (index: number) => `load-${index}@example.com`;

/** Runs `count` requests, `CONNECTIONS` at a time, on the agent's connections; tallies every status. */
async function runConcurrently(
  count: number,
  send: (index: number) => Promise<AgentReply>,
  statuses: Map<number, number>,
): Promise<AgentReply[]> {
  const replies = new Array<AgentReply>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const reply = await send(index);
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      replies[index] = reply;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return replies;
}

/** The number of documents in the users collection of the service's database. */
async function countMongoUsers(env: Record<string, string>): Promise<number> {
  const client = new MongoClient(env.MONGODB_URI ?? '', { serverSelectionTimeoutMS: 5000 });
  try {
    return await client.db(env.MONGODB_DB).collection('users').countDocuments();
  } finally {
    await client.close();
  }
}

describeForEachStore('load: 1,000 registrations and 1,000 log-ins over 50 connections', (storeEnv, storeName) => {
  let server: TestServer;
  let agent: http.Agent;
  let env: Record<string, string>;
  const statuses = new Map<number, number>();

  before(async function () {
    this.timeout(30_000);
    // Rate limiting is off: all of this load comes from one address (127.0.0.1), which the per-address limit
    // would rightly refuse after 100 requests a minute.
    env = { ...storeEnv(), RATE_LIMIT: 'off' };
    server = await startTestServer({ env });
    agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  });

  after(async () => {
    agent?.destroy();
    await server?.close();
  });

  it('stores every user exactly once, gives each log-in its own session, and never answers 5xx', async function () {
    this.timeout(50_000);
    const send = (method: string, path: string, options: AgentRequest) => agentRequest(agent, server.url, method, path, options);
    const credentials = (index: number) => ({ form: { email: emailOf(index), password: PASSWORD } });

    const started = performance.now();
    const registrations = await runConcurrently(USERS, (i) => send('POST', '/users', credentials(i)), statuses);
    const registered = performance.now();
    const logIns = await runConcurrently(USERS, (i) => send('POST', '/sessions', credentials(i)), statuses);
    const loggedIn = performance.now();

    const seconds = (loggedIn - started) / 1000;
    console.log(
      `      [${storeName}] ${USERS} registrations in ${((registered - started) / 1000).toFixed(2)} s, ` +
        `${USERS} log-ins in ${((loggedIn - registered) / 1000).toFixed(2)} s: ` +
        `${2 * USERS} requests in ${seconds.toFixed(2)} s, ${Math.round((2 * USERS) / seconds)} requests/s ` +
        `over ${CONNECTIONS} connections`,
    );

    registrations.forEach((reply, i) => {
      expect(reply.status, reply.text).to.equal(200);
      expect(jsonOf(reply)).to.deep.equal({ email: emailOf(i), message: 'user created' });
    });
    const cookies = logIns.map((reply, i) => {
      expect(reply.status, reply.text).to.equal(200);
      expect(jsonOf(reply)).to.deep.equal({ email: emailOf(i), message: 'logged in' });
      const cookie = sessionCookieOf(reply);
      expect(cookie, `session cookie of ${emailOf(i)}`)
        .to.be.a('string')
        .and.not.equal('');
      return cookie ?? '';
    });
    expect(new Set(cookies).size, 'distinct session cookies').to.equal(USERS);

    // Every session resolves to its own user, never to another.
    const profiles = await runConcurrently(USERS, (i) => send('GET', '/profile', { cookie: `session_id=${cookies[i]}` }), statuses);
    profiles.forEach((reply, i) => {
      expect(reply.status, reply.text).to.equal(200);
      expect(jsonOf(reply)).to.deep.equal({ email: emailOf(i), email_verified: false });
    });

    // Every user is stored, once: found by email, with ids all different and, on MongoDB, no other
    // document in the collection; and a second registration is refused (a sample of 100: the MongoDB
    // stand-in answers duplicate inserts slowly).
    const users = server.container.get(TOKENS.UserRepository);
    const ids = new Set<string>();
    for (let i = 0; i < USERS; i += 1) {
      const user = await users.findByEmail(emailOf(i));
      expect(user, emailOf(i)).not.to.equal(null);
      expect(user?.email).to.equal(emailOf(i));
      ids.add(user?.id ?? '');
    }
    expect(ids.size, 'distinct user ids').to.equal(USERS);
    if (env.STORE === 'mongodb') expect(await countMongoUsers(env)).to.equal(USERS);
    const again = await runConcurrently(USERS / 10, (i) => send('POST', '/users', credentials(i * 10)), statuses);
    again.forEach((reply) => {
      expect(reply.status, reply.text).to.equal(400);
      expect(jsonOf(reply)).to.deep.equal({ code: 'email_taken', message: 'email already registered' });
    });

    const serverErrors = [...statuses].filter(([status]) => status >= 500);
    expect(serverErrors, `statuses: ${JSON.stringify([...statuses])}`).to.deep.equal([]);
  });
});
