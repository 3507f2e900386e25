import { expect } from 'chai';
import { clientFor, sessionCookieOf } from '../support/http-client.js';
import { startServiceProcess, type ServiceProcess } from '../support/child-process.js';
import { describeForEachStore } from '../support/stores.js';

// The seed service's own end-to-end script, step by step, against the real entry point in a child process.
const EMAIL = 'guillaume@holberton.io';
const PASSWD = 'b4l0u';
const NEW_PASSWD = 't4rt1fl3tt3';

describeForEachStore('end to end: the seed flow against the running service', (storeEnv) => {
  let service: ServiceProcess;
  /** Every secret the flow handles: none may appear in the service's logs. */
  const secrets = new Set<string>([PASSWD, NEW_PASSWD]);
  let stopped = false;

  before(async function () {
    this.timeout(60_000);
    // The seed's passwords are 5 and 11 characters: its clients run with a lower minimum.
    // LOG_LEVEL=trace: the most the service ever logs.
    service = await startServiceProcess({ ...storeEnv(), PASSWORD_MIN_LENGTH: '5', LOG_LEVEL: 'trace' });
  });

  after(async () => {
    if (!stopped) await service.stop('SIGTERM');
  });

  it('register, wrong password, profile unlogged, log in, profile, log out, reset token, update password, log in', async () => {
    const api = clientFor(service.url);

    const registered = await api.post('/users', { form: { email: EMAIL, password: PASSWD } });
    expect(registered.status).to.equal(200);
    expect(registered.body).to.deep.equal({ email: EMAIL, message: 'user created' });

    const wrong = await api.post('/sessions', { form: { email: EMAIL, password: NEW_PASSWD } });
    expect(wrong.status).to.equal(401);

    expect((await api.get('/profile')).status).to.equal(403);

    const loggedIn = await api.post('/sessions', { form: { email: EMAIL, password: PASSWD } });
    expect(loggedIn.status).to.equal(200);
    expect(loggedIn.body).to.deep.equal({ email: EMAIL, message: 'logged in' });
    const sessionId = sessionCookieOf(loggedIn);
    expect(sessionId).to.be.a('string');
    secrets.add(sessionId ?? '');

    const profile = await api.get('/profile', { cookie: `session_id=${sessionId}` });
    expect(profile.status).to.equal(200);
    expect(profile.body).to.deep.equal({ email: EMAIL, email_verified: false });

    const loggedOut = await api.delete('/sessions', { cookie: `session_id=${sessionId}` });
    expect(loggedOut.status).to.equal(302);
    expect(loggedOut.headers.get('location')).to.equal('/');
    const home = await api.get('/');
    expect(home.body).to.deep.equal({ message: 'Bienvenue' });
    expect((await api.get('/profile', { cookie: `session_id=${sessionId}` })).status).to.equal(403);

    const token = await api.post('/reset_password', { form: { email: EMAIL } });
    expect(token.status).to.equal(200);
    const resetToken = (token.body as { reset_token: string }).reset_token;
    secrets.add(resetToken);
    expect(token.body).to.deep.equal({ email: EMAIL, reset_token: resetToken });

    const updated = await api.put('/reset_password', { form: { email: EMAIL, reset_token: resetToken, new_password: NEW_PASSWD } });
    expect(updated.status).to.equal(200);
    expect(updated.body).to.deep.equal({ email: EMAIL, message: 'Password updated' });

    const again = await api.post('/sessions', { form: { email: EMAIL, password: NEW_PASSWD } });
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal({ email: EMAIL, message: 'logged in' });
    secrets.add(sessionCookieOf(again) ?? '');

    // The failure paths a client can cause, with secrets in them.
    await api.post('/sessions', { raw: { contentType: 'application/json', body: `{"email": "${EMAIL}", "password": "${NEW_PASSWD}"` } });
    await api.put('/reset_password', { form: { email: EMAIL, reset_token: resetToken, new_password: NEW_PASSWD } });
    await api.get('/profile', { cookie: `session_id=${sessionId}` });
  });

  it('logs none of the passwords, session tokens, reset tokens or hashes it handled', async () => {
    expect(await service.stop('SIGTERM')).to.equal(0);
    stopped = true;
    const logs = service.output();
    expect(logs, 'the logs are captured').to.contain('auth service listening on');
    for (const secret of secrets) {
      expect(secret.length).to.be.greaterThan(4);
      expect(logs.includes(secret), 'a secret was logged').to.equal(false);
    }
    expect(logs).not.to.match(/\$2[aby]\$\d\d\$/);
  });
});
