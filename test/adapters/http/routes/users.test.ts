import { expect } from 'chai';
import { clientFor, expectErrorCode, sessionCookieOf, type Client } from '../../../support/http-client.js';
import { describeForEachStore } from '../../../support/stores.js';
import { startTestServer, type TestServer } from '../../../support/test-server.js';

const EMAIL = 'lee@example.com';
const PASSWORD = 'lee long password';

describeForEachStore('DELETE /users/me over HTTP', (storeEnv) => {
  let server: TestServer;
  let api: Client;
  let cookie: string;
  const logIn = async () => `session_id=${sessionCookieOf(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }))}`;

  beforeEach(async () => {
    server = await startTestServer({ env: storeEnv() });
    api = clientFor(server.url);
    expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
    cookie = await logIn();
  });

  afterEach(async () => {
    await server.close();
  });

  it('deletes the account: 200, the cookie cleared, every session and the reset token gone, the email free again', async () => {
    const other = await logIn();
    const { reset_token: resetToken } = (await api.post('/reset_password', { form: { email: EMAIL } })).body as { reset_token: string };
    const reply = await api.delete('/users/me', { cookie, form: { password: PASSWORD } });
    expect({ status: reply.status, body: reply.body }).to.deep.equal({ status: 200, body: { message: 'account deleted' } });
    expect(reply.setCookies[0]).to.match(/^session_id=; Max-Age=0;/);
    for (const ended of [cookie, other]) expectErrorCode(await api.get('/profile', { cookie: ended }), 403, 'invalid_session');
    expectErrorCode(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }), 401, 'invalid_credentials');
    expectErrorCode(
      await api.put('/reset_password', { form: { email: EMAIL, reset_token: resetToken, new_password: 'another password' } }),
      403,
      'invalid_reset_token',
    );
    expect((await api.post('/users', { json: { email: EMAIL, password: 'a new owner here' } })).status).to.equal(200);
    expect((await api.post('/sessions', { form: { email: EMAIL, password: 'a new owner here' } })).status).to.equal(200);
  });

  it('refuses, deleting nothing: 401 wrong password, 400 no password, 403 no session or cross-site', async () => {
    expectErrorCode(await api.delete('/users/me', { cookie, form: { password: 'not it' } }), 401, 'wrong_password');
    expectErrorCode(await api.delete('/users/me', { cookie, form: {} }), 400, 'invalid_input');
    expectErrorCode(await api.delete('/users/me', { form: { password: PASSWORD } }), 403, 'invalid_session');
    expectErrorCode(await api.delete('/users/me', { cookie: 'session_id=forged', form: { password: PASSWORD } }), 403, 'invalid_session');
    expectErrorCode(
      await api.delete('/users/me', { cookie, form: { password: PASSWORD }, headers: { origin: 'https://evil.example' } }),
      403,
      'cross_site_refused',
    );
    expect((await api.get('/profile', { cookie })).status, 'the session still works').to.equal(200);
    expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status, 'the account too').to.equal(200);
  });

  it('counts wrong passwords like failed log-ins: 429 with Retry-After after the log-in limit', async () => {
    for (let i = 0; i < 5; i += 1)
      expectErrorCode(await api.delete('/users/me', { cookie, form: { password: `wrong ${i}` } }), 401, 'wrong_password');
    const refused = await api.delete('/users/me', { cookie, form: { password: PASSWORD } });
    expectErrorCode(refused, 429, 'too_many_attempts');
    expect(Number(refused.headers.get('retry-after'))).to.be.greaterThan(0);
    expectErrorCode(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }), 429, 'too_many_attempts');
  });
});
