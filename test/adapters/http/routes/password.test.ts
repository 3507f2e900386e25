import { expect } from 'chai';
import { clientFor, expectErrorCode, sessionCookieOf, type Client } from '../../../support/http-client.js';
import { describeForEachStore } from '../../../support/stores.js';
import { startTestServer, type TestServer } from '../../../support/test-server.js';

const EMAIL = 'pat@example.com';
const PASSWORD = 'pat old password';
const NEW_PASSWORD = 'pat new password';

describeForEachStore('PUT /password over HTTP', (storeEnv) => {
  let server: TestServer;
  let api: Client;
  let cookie: string;

  beforeEach(async () => {
    server = await startTestServer({ env: storeEnv() });
    api = clientFor(server.url);
    expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
    cookie = `session_id=${sessionCookieOf(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }))}`;
  });

  afterEach(async () => {
    await server.close();
  });

  it('changes the password: 200, a new session cookie, the old cookie refused, the new password logs in', async () => {
    const other = `session_id=${sessionCookieOf(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } }))}`;
    const reply = await api.put('/password', { cookie, form: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
    expect({ status: reply.status, body: reply.body }).to.deep.equal({ status: 200, body: { email: EMAIL, message: 'Password updated' } });
    const fresh = sessionCookieOf(reply);
    expect(fresh).to.be.a('string').and.not.equal(cookie.slice('session_id='.length));
    expect((await api.get('/profile', { cookie: `session_id=${fresh}` })).status).to.equal(200);
    for (const ended of [cookie, other]) expectErrorCode(await api.get('/profile', { cookie: ended }), 403, 'invalid_session');
    expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(401);
    expect((await api.post('/sessions', { json: { email: EMAIL, password: NEW_PASSWORD } })).status).to.equal(200);
  });

  it('takes JSON as well as a form', async () => {
    const reply = await api.put('/password', { cookie, json: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
  });

  it('refuses, changing nothing: 401 wrong current password, 400 invalid new one, 403 no session or cross-site', async () => {
    expectErrorCode(
      await api.put('/password', { cookie, form: { current_password: 'not it', new_password: NEW_PASSWORD } }),
      401,
      'wrong_password',
    );
    expectErrorCode(
      await api.put('/password', { cookie, form: { current_password: PASSWORD, new_password: 'short' } }),
      400,
      'invalid_input',
    );
    expectErrorCode(await api.put('/password', { cookie, form: { current_password: PASSWORD } }), 400, 'invalid_input');
    expectErrorCode(
      await api.put('/password', { form: { current_password: PASSWORD, new_password: NEW_PASSWORD } }),
      403,
      'invalid_session',
    );
    expectErrorCode(
      await api.put('/password', { cookie: 'session_id=forged', form: { current_password: PASSWORD, new_password: NEW_PASSWORD } }),
      403,
      'invalid_session',
    );
    expectErrorCode(
      await api.put('/password', {
        cookie,
        form: { current_password: PASSWORD, new_password: NEW_PASSWORD },
        headers: { origin: 'https://evil.example' },
      }),
      403,
      'cross_site_refused',
    );
    expect((await api.get('/profile', { cookie })).status, 'the session still works').to.equal(200);
    expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status, 'the old password too').to.equal(200);
  });
});
