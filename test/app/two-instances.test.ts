import { expect } from 'chai';
import { clientFor, sessionCookieOf, type Client } from '../support/http-client.js';
import { describeForEachStore, type StoreName } from '../support/stores.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// The rule: revocation takes effect at once. After DELETE /sessions/{id}, DELETE /sessions/others,
// a password change, a reset or an account deletion returns, no request carrying an ended session succeeds,
// on any instance sharing the store. Here: two service instances (the real composition root, each with its
// own container, connection pool and HTTP server) on one PostgreSQL schema, and on one MongoDB database;
// every revocation is made through one instance and checked, at once, through the other (and the first),
// sequentially, and while the other instance is being polled concurrently with the sessions it ends.

/** The stores two instances can share: the in-memory one is per process, SQLite is not the issue's. */
const SHARED_STORES: readonly StoreName[] = ['postgres', 'mongodb'];

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new password';

/** How many times in a row an ended session is tried on each instance: refused at once, and still refused. */
const ATTEMPTS = 3;

/** While a revocation runs on A, POLLERS loops poll B with the sessions it ends, until POLLERS × POLLS_AFTER polls were sent after A answered. */
const POLLERS = 4;
const POLLS_AFTER = 5;

const cookieOf = (token: string): string => `session_id=${token}`;

interface Poll {
  readonly sentAt: number;
  readonly status: number;
  readonly token: string;
}

interface Sessions {
  readonly a1: string;
  readonly a2: string;
  readonly b1: string;
}

/** One of the revocations, as the concurrent tests run it: prepared first, then timed. */
interface Revocation {
  readonly name: string;
  /** Whatever must happen before (a handle looked up, a reset token asked for); returns the timed request. */
  prepare(sessions: Sessions): Promise<() => Promise<{ status: number }>>;
  /** The sessions it ends. */
  ended(sessions: Sessions): string[];
}

describeForEachStore('two instances on one shared store', (storeEnv, storeName) => {
  if (!SHARED_STORES.includes(storeName)) return;

  let a: TestServer;
  let b: TestServer;
  let apiA: Client;
  let apiB: Client;
  let email: string;
  let counter = 0;

  beforeEach(async function () {
    this.timeout(60_000);
    // One env, so one schema (or database) both instances use; started one after the other, so that the
    // second finds the first's migrations done.
    const env = storeEnv();
    a = await startTestServer({ env });
    b = await startTestServer({ env });
    apiA = clientFor(a.url);
    apiB = clientFor(b.url);
    counter += 1;
    email = `user${counter}@example.com`;
    const registered = await apiA.post('/users', { form: { email, password: PASSWORD } });
    expect(registered.status).to.equal(200);
  });

  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  async function logIn(api: Client, password = PASSWORD): Promise<string> {
    const reply = await api.post('/sessions', { form: { email, password } });
    expect(reply.status, `log-in: ${JSON.stringify(reply.body)}`).to.equal(200);
    const token = sessionCookieOf(reply);
    if (token === undefined || token === '') throw new Error('no session cookie in the log-in answer');
    return token;
  }

  /** Logged in twice on instance A and once on B; every session accepted on both instances. */
  async function threeSessions(): Promise<{ a1: string; a2: string; b1: string }> {
    const sessions = { a1: await logIn(apiA), a2: await logIn(apiA), b1: await logIn(apiB) };
    for (const token of Object.values(sessions)) await expectAccepted(token);
    return sessions;
  }

  /** The handle GET /sessions gives the session of `token`, as listed by `api`. */
  async function handleOf(api: Client, token: string): Promise<string> {
    const reply = await api.get('/sessions', { cookie: cookieOf(token) });
    expect(reply.status).to.equal(200);
    const { sessions } = reply.body as { sessions: { id: string; current: boolean }[] };
    const own = sessions.find((session) => session.current);
    if (own === undefined) throw new Error('the listing shows no current session');
    return own.id;
  }

  /** Refused (403) by both instances, B first (the one that did not end it), ATTEMPTS times each. */
  async function expectRefusedEverywhere(token: string, what: string): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      for (const [name, api] of [
        ['B', apiB],
        ['A', apiA],
      ] as const) {
        const reply = await api.get('/profile', { cookie: cookieOf(token) });
        expect(reply.status, `${what}: attempt ${attempt} on instance ${name}`).to.equal(403);
      }
    }
    // Nor any other request that needs a session.
    expect((await apiB.get('/sessions', { cookie: cookieOf(token) })).status, `${what}: GET /sessions on B`).to.equal(403);
    expect((await apiB.delete('/sessions/others', { cookie: cookieOf(token) })).status, `${what}: DELETE /sessions/others on B`).to.equal(
      403,
    );
  }

  async function expectAccepted(token: string): Promise<void> {
    for (const api of [apiA, apiB]) {
      const reply = await api.get('/profile', { cookie: cookieOf(token) });
      expect(reply.status).to.equal(200);
      expect(reply.body).to.deep.equal({ email, email_verified: false });
    }
  }

  /** Polls B with `tokens` from POLLERS loops while `revoke` runs on A; every poll sent after A's answer must be refused. */
  async function pollDuring(tokens: readonly string[], revoke: () => Promise<{ status: number }>) {
    const polls: Poll[] = [];
    // When A's answer had arrived, once it has (performance.now()).
    const revocation: { answeredAt?: number } = {};
    const sentAfter = (poll: Poll): boolean => revocation.answeredAt !== undefined && poll.sentAt > revocation.answeredAt;
    const poller = async (offset: number): Promise<void> => {
      for (let i = offset; revocation.answeredAt === undefined || polls.filter(sentAfter).length < POLLERS * POLLS_AFTER; i += 1) {
        const token = tokens[i % tokens.length] ?? '';
        const sentAt = performance.now();
        const reply = await apiB.get('/profile', { cookie: cookieOf(token) });
        polls.push({ sentAt, status: reply.status, token });
      }
    };
    const polling = Promise.all(Array.from({ length: POLLERS }, (_, offset) => poller(offset)));
    const revoked = await revoke();
    revocation.answeredAt = performance.now();
    expect(revoked.status).to.equal(200);
    await polling;
    const late = polls.filter(sentAfter);
    const accepted = late.filter((poll) => poll.status !== 403);
    expect(accepted, `polls of B sent after A answered that were not refused (of ${late.length})`).to.deep.equal([]);
    return { before: polls.length - late.length, after: late.length };
  }

  const REVOCATIONS: readonly Revocation[] = [
    {
      name: 'DELETE /sessions/{id}',
      prepare: async ({ a1, b1 }) => {
        const handle = await handleOf(apiB, b1);
        return () => apiA.delete(`/sessions/${handle}`, { cookie: cookieOf(a1) });
      },
      ended: ({ b1 }) => [b1],
    },
    {
      name: 'DELETE /sessions/others',
      prepare: ({ a1 }) => Promise.resolve(() => apiA.delete('/sessions/others', { cookie: cookieOf(a1) })),
      ended: ({ a2, b1 }) => [a2, b1],
    },
    {
      name: 'PUT /password',
      prepare: ({ a1 }) =>
        Promise.resolve(() =>
          apiA.put('/password', { cookie: cookieOf(a1), form: { current_password: PASSWORD, new_password: NEW_PASSWORD } }),
        ),
      ended: ({ a1, a2, b1 }) => [a1, a2, b1],
    },
    {
      name: 'PUT /reset_password',
      prepare: async () => {
        const asked = await apiB.post('/reset_password', { form: { email } });
        expect(asked.status).to.equal(200);
        const resetToken = (asked.body as { reset_token?: string }).reset_token ?? '';
        return () => apiA.put('/reset_password', { form: { email, reset_token: resetToken, new_password: NEW_PASSWORD } });
      },
      ended: ({ a1, a2, b1 }) => [a1, a2, b1],
    },
    {
      name: 'DELETE /users/me',
      prepare: ({ a1 }) => Promise.resolve(() => apiA.delete('/users/me', { cookie: cookieOf(a1), form: { password: PASSWORD } })),
      ended: ({ a1, a2, b1 }) => [a1, a2, b1],
    },
  ];

  for (const revocation of REVOCATIONS) {
    it(`${revocation.name} on A while B is polled with the sessions it ends: every poll sent after A answered is refused`, async () => {
      const sessions = await threeSessions();
      const revoke = await revocation.prepare(sessions);
      const counts = await pollDuring(revocation.ended(sessions), revoke);
      expect(counts.after).to.be.at.least(POLLERS * POLLS_AFTER);
      console.log(
        `      polls of B [${storeName}]: ${counts.before} sent before A answered, ${counts.after} after, every one of these refused`,
      );
    });
  }

  it('DELETE /sessions/{id} on A: B refuses that session at once, and the others stay', async () => {
    const { a1, a2, b1 } = await threeSessions();
    // A session logged in on B, ended through A.
    const ended = await apiA.delete(`/sessions/${await handleOf(apiB, b1)}`, { cookie: cookieOf(a1) });
    expect(ended.status).to.equal(200);
    await expectRefusedEverywhere(b1, 'b1 ended on A');
    await expectAccepted(a1);
    await expectAccepted(a2);
    // And the other way round: a session logged in on A, ended through B.
    const endedOnB = await apiB.delete(`/sessions/${await handleOf(apiA, a2)}`, { cookie: cookieOf(a1) });
    expect(endedOnB.status).to.equal(200);
    await expectRefusedEverywhere(a2, 'a2 ended on B');
    await expectAccepted(a1);
  });

  it('DELETE /sessions/{id} of its own session on A: B refuses it at once', async () => {
    const { a1, a2 } = await threeSessions();
    const ended = await apiA.delete(`/sessions/${await handleOf(apiA, a1)}`, { cookie: cookieOf(a1) });
    expect(ended.status).to.equal(200);
    await expectRefusedEverywhere(a1, 'a1 ended itself on A');
    await expectAccepted(a2);
  });

  it('DELETE /sessions/others on A: B refuses every other session at once, and keeps the caller’s', async () => {
    const { a1, a2, b1 } = await threeSessions();
    const ended = await apiA.delete('/sessions/others', { cookie: cookieOf(a1) });
    expect(ended.status).to.equal(200);
    expect(ended.body).to.deep.equal({ ended: 2 });
    await expectRefusedEverywhere(a2, 'a2 after DELETE /sessions/others on A');
    await expectRefusedEverywhere(b1, 'b1 after DELETE /sessions/others on A');
    await expectAccepted(a1);
  });

  it('PUT /password on A: B refuses every session made before it, the one used too, at once', async () => {
    const { a1, a2, b1 } = await threeSessions();
    const changed = await apiA.put('/password', {
      cookie: cookieOf(a1),
      form: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(changed.status).to.equal(200);
    const fresh = sessionCookieOf(changed);
    if (fresh === undefined || fresh === '') throw new Error('no fresh session cookie in the change answer');
    for (const [name, token] of Object.entries({ a1, a2, b1 })) await expectRefusedEverywhere(token, `${name} after PUT /password on A`);
    await expectAccepted(fresh);
    // The old password makes no session on B any more; the new one does.
    expect((await apiB.post('/sessions', { form: { email, password: PASSWORD } })).status).to.equal(401);
    await expectAccepted(await logIn(apiB, NEW_PASSWORD));
  });

  it('a reset asked for on B and used on A: B refuses every session made before it, at once', async () => {
    const { a1, a2, b1 } = await threeSessions();
    const asked = await apiB.post('/reset_password', { form: { email } });
    expect(asked.status).to.equal(200);
    const resetToken = (asked.body as { reset_token?: string }).reset_token;
    if (resetToken === undefined) throw new Error('RESET_TOKEN_DELIVERY=response should hand the token back');
    const reset = await apiA.put('/reset_password', { form: { email, reset_token: resetToken, new_password: NEW_PASSWORD } });
    expect(reset.status).to.equal(200);
    for (const [name, token] of Object.entries({ a1, a2, b1 })) await expectRefusedEverywhere(token, `${name} after the reset on A`);
    expect((await apiB.post('/sessions', { form: { email, password: PASSWORD } })).status).to.equal(401);
    await expectAccepted(await logIn(apiB, NEW_PASSWORD));
  });

  it('DELETE /users/me on A: B refuses every session of the account at once', async () => {
    const { a1, a2, b1 } = await threeSessions();
    const deleted = await apiA.delete('/users/me', { cookie: cookieOf(a1), form: { password: PASSWORD } });
    expect(deleted.status).to.equal(200);
    for (const [name, token] of Object.entries({ a1, a2, b1 })) await expectRefusedEverywhere(token, `${name} after DELETE /users/me on A`);
    expect((await apiB.post('/sessions', { form: { email, password: PASSWORD } })).status).to.equal(401);
    // Registered again (on B) with the same email and password: the old sessions stay refused.
    expect((await apiB.post('/users', { form: { email, password: PASSWORD } })).status).to.equal(200);
    const again = await logIn(apiA);
    await expectAccepted(again);
    for (const [name, token] of Object.entries({ a1, a2, b1 })) await expectRefusedEverywhere(token, `${name} after re-registration`);
  });
});
