import { expect } from 'chai';
import { clientFor, expectErrorCode, sessionCookieOf, type Client } from '../../../support/http-client.js';
import { describeForEachStore } from '../../../support/stores.js';
import { startTestServer, type TestServer } from '../../../support/test-server.js';

const EMAIL = 'pat@example.com';
const PASSWORD = 'pat the password';
const NEW = 'patricia@example.com';
const TAKEN = 'sam@example.com';

/** The routes of email addresses over HTTP with `response` delivery (the default): tokens in the answers. */
describeForEachStore('email addresses over HTTP (response delivery)', (storeEnv) => {
  let server: TestServer;
  let api: Client;
  let cookie: string;

  async function start(env: Record<string, string> = {}): Promise<void> {
    server = await startTestServer({ env: { ...storeEnv(), ...env } });
    api = clientFor(server.url);
    for (const email of [EMAIL, TAKEN]) expect((await api.post('/users', { form: { email, password: PASSWORD } })).status).to.equal(200);
    cookie = `session_id=${sessionCookieOf(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }))}`;
  }

  afterEach(async () => {
    await server.close();
  });

  const requestVerification = (email = EMAIL) => api.post('/email_verification', { form: { email } });
  const verify = (email: string, token: unknown) => api.put('/email_verification', { form: { email, verification_token: String(token) } });
  const profile = async (as = cookie) => (await api.get('/profile', { cookie: as })).body;

  it('verifies an address: POST hands the token back, PUT spends it once, GET /profile says so', async () => {
    await start();
    expect(await profile()).to.deep.equal({ email: EMAIL, email_verified: false });
    const issued = await requestVerification(' Pat@Example.com ');
    expect(issued.status).to.equal(200);
    const { verification_token: token } = issued.body as { verification_token: string };
    expect(issued.body).to.deep.equal({ email: EMAIL, verification_token: token });
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    const verified = await verify(EMAIL, token);
    expect({ status: verified.status, body: verified.body }).to.deep.equal({
      status: 200,
      body: { email: EMAIL, message: 'Email verified' },
    });
    expect(await profile()).to.deep.equal({ email: EMAIL, email_verified: true });
    expectErrorCode(await verify(EMAIL, token), 403, 'invalid_verification_token');
  });

  it('takes JSON as well as a form', async () => {
    await start();
    const issued = await api.post('/email_verification', { json: { email: EMAIL } });
    const token = (issued.body as { verification_token: string }).verification_token;
    expect((await api.put('/email_verification', { json: { email: EMAIL, verification_token: token } })).status).to.equal(200);
  });

  it('refuses alike a wrong, foreign, superseded or empty token, and an unknown email (403 unknown_email, like the reset)', async () => {
    await start();
    const first = (await requestVerification()).body as { verification_token: string };
    const others = (await requestVerification(TAKEN)).body as { verification_token: string };
    await requestVerification();
    for (const [email, token] of [
      [EMAIL, 'x'.repeat(43)],
      [EMAIL, others.verification_token],
      [TAKEN, first.verification_token],
      [EMAIL, first.verification_token],
    ]) {
      expectErrorCode(await verify(email ?? '', token), 403, 'invalid_verification_token');
    }
    expectErrorCode(await verify(EMAIL, ''), 400, 'invalid_input');
    expect((await verify(EMAIL, '')).body).to.deep.include({ message: 'verification_token must not be empty' });
    expectErrorCode(await requestVerification('nobody@example.com'), 403, 'unknown_email');
    expectErrorCode(await requestVerification('not an address'), 400, 'invalid_input');
  });

  it('of 10 concurrent uses of one token over HTTP, exactly one gets 200', async () => {
    // From one address, so beyond the 5 attempts RATE_LIMIT_LOGIN_FAILURES allows it would be throttled.
    await start({ RATE_LIMIT: 'off' });
    const { verification_token: token } = (await requestVerification()).body as { verification_token: string };
    const replies = await Promise.all(Array.from({ length: 10 }, () => verify(EMAIL, token)));
    expect(replies.map((reply) => reply.status).sort()).to.deep.equal([200, ...Array<number>(9).fill(403)]);
  });

  it('changes the address only once the new one is verified; other sessions end, the asking one stays', async () => {
    await start();
    const other = `session_id=${sessionCookieOf(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }))}`;
    const asked = await api.put('/email', { cookie, form: { password: PASSWORD, new_email: ' Patricia@Example.com' } });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(200);
    const { verification_token: token } = asked.body as { verification_token: string };
    expect(asked.body).to.deep.equal({ email: NEW, verification_token: token });
    expect(await profile()).to.deep.equal({ email: EMAIL, email_verified: false });
    expect((await api.post('/sessions', { form: { email: NEW, password: PASSWORD } })).status, 'not yet').to.equal(401);

    expect((await verify(NEW, token)).body).to.deep.equal({ email: NEW, message: 'Email verified' });
    expect(await profile()).to.deep.equal({ email: NEW, email_verified: true });
    expectErrorCode(await api.get('/profile', { cookie: other }), 403, 'invalid_session');
    expect((await api.post('/sessions', { form: { email: NEW, password: PASSWORD } })).status).to.equal(200);
    expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(401);
    // The old address is free again.
    expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
  });

  it('answers an address another account has exactly like a free one, and that token verifies nothing', async () => {
    await start();
    const taken = await api.put('/email', { cookie, form: { password: PASSWORD, new_email: TAKEN } });
    const free = await api.put('/email', { cookie, form: { password: PASSWORD, new_email: NEW } });
    expect(taken.status).to.equal(200);
    expect(Object.keys(taken.body as object)).to.deep.equal(Object.keys(free.body as object));
    expect([...taken.headers.keys()].sort()).to.deep.equal([...free.headers.keys()].sort());
    expectErrorCode(
      await verify(TAKEN, (taken.body as { verification_token: string }).verification_token),
      403,
      'invalid_verification_token',
    );
    expect(await profile()).to.deep.equal({ email: EMAIL, email_verified: false });
  });

  it('refuses a change: 403 no session or cross-site, 401 wrong password, 400 invalid or unchanged address', async () => {
    await start();
    expectErrorCode(await api.put('/email', { form: { password: PASSWORD, new_email: NEW } }), 403, 'invalid_session');
    expectErrorCode(
      await api.put('/email', { cookie, form: { password: PASSWORD, new_email: NEW }, headers: { Origin: 'https://evil.example' } }),
      403,
      'cross_site_refused',
    );
    expectErrorCode(await api.put('/email', { cookie, form: { password: 'not it', new_email: NEW } }), 401, 'wrong_password');
    expectErrorCode(await api.put('/email', { cookie, form: { password: PASSWORD, new_email: 'nope' } }), 400, 'invalid_input');
    const same = await api.put('/email', { cookie, form: { password: PASSWORD, new_email: EMAIL.toUpperCase() } });
    expect({ status: same.status, body: same.body }).to.deep.equal({
      status: 400,
      body: { code: 'invalid_input', message: 'new_email must differ from the current email' },
    });
    expectErrorCode(await api.put('/email', { cookie, form: { password: PASSWORD } }), 400, 'invalid_input');
  });

  it('throttles a wrong password like a log-in, under the same count', async () => {
    await start({ RATE_LIMIT_LOGIN_FAILURES: '2/15m' });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expectErrorCode(await api.put('/email', { cookie, form: { password: 'not it', new_email: NEW } }), 401, 'wrong_password');
    }
    expectErrorCode(await api.put('/email', { cookie, form: { password: PASSWORD, new_email: NEW } }), 429, 'too_many_attempts');
    expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status, 'the same count').to.equal(429);
  });

  it('EMAIL_VERIFICATION=required: 403 email_not_verified only after the right password, then logs in once verified', async () => {
    await start({ EMAIL_VERIFICATION: 'required' });
    const logIn = (password: string) => api.post('/sessions', { form: { email: EMAIL, password } });
    expectErrorCode(await logIn('not it'), 401, 'invalid_credentials');
    const refused = await logIn(PASSWORD);
    expectErrorCode(refused, 403, 'email_not_verified');
    expect(sessionCookieOf(refused)).to.equal(undefined);
    const { verification_token: token } = (await requestVerification()).body as { verification_token: string };
    await verify(EMAIL, token);
    expect((await logIn(PASSWORD)).status).to.equal(200);
  });
});
