import { expect } from 'chai';
import { TOKENS } from '../../../src/app/tokens.js';
import { InMemoryUserRepository } from '../../../src/adapters/stores/memory/in-memory-user-repository.js';
import { clientFor, request, sessionCookieOf, type Client, type Reply } from '../../support/http-client.js';
import { DAY, HOUR, MINUTE, SECOND } from '../../support/manual-clock.js';
import { describeForEachStore } from '../../support/stores.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const EMAIL = 'bob@example.com';
const PASSWORD = 'hunter2hunter2';

function expectJson(reply: Reply, status: number, body: unknown): void {
  expect(reply.headers.get('content-type')).to.match(/^application\/json/);
  expect({ status: reply.status, body: reply.body }).to.deep.equal({ status, body });
}

function expectError(reply: Reply, status: number, message?: string | RegExp): void {
  expect(reply.status, JSON.stringify(reply.body)).to.equal(status);
  expect(reply.headers.get('content-type')).to.match(/^application\/json/);
  expect(reply.body).to.have.all.keys('code', 'message');
  const actual = (reply.body as { message: string }).message;
  if (typeof message === 'string') expect(actual).to.equal(message);
  else if (message instanceof RegExp) expect(actual).to.match(message);
}

describeForEachStore('HTTP API', (storeEnv) => {
  let server: TestServer;
  let api: Client;

  beforeEach(async () => {
    server = await startTestServer({ env: storeEnv() });
    api = clientFor(server.url);
  });

  afterEach(async () => {
    await server.close();
  });

  async function register(email = EMAIL, password = PASSWORD): Promise<Reply> {
    return api.post('/users', { form: { email, password } });
  }

  async function logIn(email = EMAIL, password = PASSWORD): Promise<string> {
    const reply = await api.post('/sessions', { form: { email, password } });
    expect(reply.status).to.equal(200);
    const token = sessionCookieOf(reply);
    if (token === undefined) throw new Error('no session cookie');
    return token;
  }

  async function resetToken(email = EMAIL): Promise<string> {
    const reply = await api.post('/reset_password', { form: { email } });
    expect(reply.status).to.equal(200);
    return (reply.body as { reset_token: string }).reset_token;
  }

  describe('GET /', () => {
    it('answers 200 {"message": "Bienvenue"}', async () => {
      expectJson(await api.get('/'), 200, { message: 'Bienvenue' });
    });
  });

  describe('POST /users', () => {
    it('registers from a form body: 200 with exactly email and message', async () => {
      expectJson(await register(' Bob@Example.COM '), 200, { email: EMAIL, message: 'user created' });
    });

    it('registers from a JSON body', async () => {
      expectJson(await api.post('/users', { json: { email: EMAIL, password: PASSWORD } }), 200, { email: EMAIL, message: 'user created' });
    });

    it('answers 400 {"message": "email already registered"} for a taken email', async () => {
      await register();
      expectJson(await register(EMAIL.toUpperCase()), 400, { code: 'email_taken', message: 'email already registered' });
    });

    it('lets exactly one of two concurrent registrations of one email succeed', async () => {
      const replies = await Promise.all([register(), register(EMAIL, 'other password')]);
      expect(replies.map((reply) => reply.status).sort()).to.deep.equal([200, 400]);
      expect(replies.find((reply) => reply.status === 400)?.body).to.deep.equal({
        code: 'email_taken',
        message: 'email already registered',
      });
    });

    it('names the missing field', async () => {
      expectError(await api.post('/users', { form: { password: PASSWORD } }), 400, 'email is required');
      expectError(await api.post('/users', { form: { email: EMAIL } }), 400, 'password is required');
      expectError(await api.post('/users'), 400, 'email is required');
    });

    it('names an empty or invalid field', async () => {
      expectError(await register('', PASSWORD), 400, 'email must not be empty');
      expectError(await register('not-an-email', PASSWORD), 400, /^email /);
      expectError(await register(`${'a'.repeat(250)}@b.com`, PASSWORD), 400, 'email must be at most 254 characters');
      expectError(await register(EMAIL, ''), 400, 'password must not be empty');
      expectError(await register(EMAIL, 'short'), 400, 'password must be at least 8 characters');
      expectError(await register(EMAIL, 'with\0nul'), 400, /^password .*NUL/);
    });

    it('rejects a password over 72 bytes with a message saying why', async () => {
      expectError(await register(EMAIL, 'p'.repeat(73)), 400, /^password must be at most 72 bytes.*bcrypt/);
      expectJson(await register(EMAIL, 'p'.repeat(72)), 200, { email: EMAIL, message: 'user created' });
    });

    it('rejects nested form syntax and repeated keys as a wrong type, naming the field', async () => {
      expectError(
        await api.post('/users', {
          raw: { contentType: 'application/x-www-form-urlencoded', body: 'email[$ne]=x&password=hunter2hunter2' },
        }),
        400,
        'email must be a string',
      );
      expectError(
        await api.post('/users', { form: { email: [EMAIL, 'eve@example.com'], password: PASSWORD } }),
        400,
        'email must be a string',
      );
      expectError(
        await api.post('/users', { raw: { contentType: 'application/x-www-form-urlencoded', body: `email=${EMAIL}&password[]=x` } }),
        400,
        'password must be a string',
      );
    });

    for (const wrong of [{ $ne: null }, ['a@example.com'], 42, true, null]) {
      it(`rejects ${JSON.stringify(wrong)} where a JSON string belongs`, async () => {
        expectError(await api.post('/users', { json: { email: wrong, password: PASSWORD } }), 400, 'email must be a string');
        expectError(await api.post('/users', { json: { email: EMAIL, password: wrong } }), 400, 'password must be a string');
      });
    }

    it('refuses a field that is not well-formed Unicode (a lone surrogate), naming it: two such passwords would otherwise be one', async () => {
      const raw = (body: string) => ({ raw: { contentType: 'application/json', body } });
      expectError(
        await api.post('/users', raw(`{"email": "${EMAIL}", "password": "\\ud800correct horse"}`)),
        400,
        'password must be well-formed Unicode (no lone surrogates)',
      );
      expectError(
        await api.post('/users', raw(`{"email": "a\\udfff@example.com", "password": "${PASSWORD}"}`)),
        400,
        'email must be well-formed Unicode (no lone surrogates)',
      );
      expectJson(await register(EMAIL, '\u{1F600} correct horse'), 200, { email: EMAIL, message: 'user created' });
      // The registered password has a real emoji (a surrogate pair); a lone half of it is refused at log-in too.
      expectError(
        await api.post('/sessions', raw(`{"email": "${EMAIL}", "password": "\\ud83d correct horse"}`)),
        400,
        'password must be well-formed Unicode (no lone surrogates)',
      );
      expectError(
        await api.post('/sessions', raw(`{"email": "${EMAIL}", "password": "\\ude00 correct horse"}`)),
        400,
        'password must be well-formed Unicode (no lone surrogates)',
      );
      expect((await api.post('/sessions', { json: { email: EMAIL, password: '\u{1F600} correct horse' } })).status).to.equal(200);
    });

    it('rejects a JSON body that is not an object', async () => {
      expectError(await api.post('/users', { json: [EMAIL, PASSWORD] }), 400, 'body must be a form or a JSON object');
      expectError(await api.post('/users', { raw: { contentType: 'application/json', body: '"text"' } }), 400);
    });

    it('answers 400 for malformed JSON, without echoing the body', async () => {
      const reply = await api.post('/users', {
        raw: { contentType: 'application/json', body: `{"email": "${EMAIL}", "password": "${PASSWORD}"` },
      });
      expectError(reply, 400, 'request body is not valid JSON');
      expect(JSON.stringify(reply.body)).not.to.contain(PASSWORD);
    });

    it('answers 413 for a body over 16 KiB', async () => {
      expectError(await register(EMAIL, 'x'.repeat(17 * 1024)), 413, /too large/);
      expectError(await api.post('/users', { json: { email: EMAIL, password: 'x'.repeat(17 * 1024) } }), 413, /too large/);
    });

    it('answers 415 for another content type', async () => {
      for (const contentType of ['text/plain', 'multipart/form-data; boundary=x', 'application/xml']) {
        expectError(await api.post('/users', { raw: { contentType, body: `email=${EMAIL}` } }), 415, /content type/);
      }
    });
  });

  describe('POST /sessions', () => {
    beforeEach(async () => {
      await register();
    });

    it('logs in: 200 with exactly email and message, and a session_id cookie', async () => {
      const reply = await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } });
      expectJson(reply, 200, { email: EMAIL, message: 'logged in' });
      expect(sessionCookieOf(reply)).to.match(/^[A-Za-z0-9_-]{43}$/);
    });

    it('sets the cookie HttpOnly, SameSite=Lax, Path=/, Max-Age of the session lifetime, not Secure by default', async () => {
      const reply = await api.post('/sessions', { json: { email: EMAIL, password: PASSWORD } });
      expect(reply.setCookies).to.have.length(1);
      const attributes = (reply.setCookies[0] ?? '').split('; ').slice(1);
      expect(attributes).to.have.members(['Max-Age=1209600', 'Path=/', 'HttpOnly', 'SameSite=Lax']);
    });

    it('answers 401 for a wrong password and for an unknown email, alike', async () => {
      const wrong = await api.post('/sessions', { form: { email: EMAIL, password: 'wrong password' } });
      const unknown = await api.post('/sessions', { form: { email: 'nobody@example.com', password: PASSWORD } });
      expectError(wrong, 401);
      expect(unknown.body).to.deep.equal(wrong.body);
      expect(unknown.status).to.equal(401);
      expect(wrong.setCookies).to.deep.equal([]);
    });

    it('issues a fresh session at every log-in, ignoring any cookie sent with it', async () => {
      const first = await logIn();
      const reply = await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD }, cookie: `session_id=${first}` });
      const second = sessionCookieOf(reply);
      expect(second).to.be.a('string').and.not.equal(first);
      const planted = await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD }, cookie: 'session_id=attacker-chosen' });
      expect(sessionCookieOf(planted)).not.to.equal('attacker-chosen');
    });

    it('answers 400 naming a missing or mistyped field', async () => {
      expectError(await api.post('/sessions', { form: { email: EMAIL } }), 400, 'password is required');
      expectError(await api.post('/sessions', { json: { email: { $gt: '' }, password: PASSWORD } }), 400, 'email must be a string');
    });
  });

  describe('session cookie settings', () => {
    it('adds Secure when COOKIE_SECURE=true and follows SESSION_TTL', async () => {
      const secure = await startTestServer({ env: { ...storeEnv(), COOKIE_SECURE: 'true', SESSION_TTL: '1h' } });
      try {
        const client = clientFor(secure.url);
        await client.post('/users', { form: { email: EMAIL, password: PASSWORD } });
        const reply = await client.post('/sessions', { form: { email: EMAIL, password: PASSWORD } });
        const attributes = (reply.setCookies[0] ?? '').split('; ').slice(1);
        expect(attributes).to.have.members(['Max-Age=3600', 'Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax']);
      } finally {
        await secure.close();
      }
    });
  });

  describe('GET /profile', () => {
    it('answers 200 with exactly the email (and whether it is verified) for a valid session', async () => {
      await register();
      const token = await logIn();
      expectJson(await api.get('/profile', { cookie: `session_id=${token}` }), 200, { email: EMAIL, email_verified: false });
    });

    it('answers 403 without a cookie, with an unknown or malformed one', async () => {
      expectError(await api.get('/profile'), 403);
      expectError(await api.get('/profile', { cookie: 'session_id=unknown' }), 403);
      expectError(await api.get('/profile', { cookie: 'session_id=' }), 403);
      expectError(await api.get('/profile', { cookie: 'session_id="%%%; other=1' }), 403);
      expectError(await api.get('/profile', { cookie: ';;;=;' }), 403);
    });

    it('answers 403 for an expired session, exactly as for an unknown one', async () => {
      await register();
      const token = await logIn();
      // Used every 12 hours, within the idle timeout (24 h), up to a second before SESSION_TTL (14 days).
      for (let left = 14 * DAY - SECOND; left > 0; left -= Math.min(left, 12 * HOUR)) {
        server.clock.advance(Math.min(left, 12 * HOUR));
        expect((await api.get('/profile', { cookie: `session_id=${token}` })).status).to.equal(200);
      }
      server.clock.advance(SECOND);
      const expired = await api.get('/profile', { cookie: `session_id=${token}` });
      const unknown = await api.get('/profile', { cookie: 'session_id=unknown' });
      expectError(expired, 403);
      expect(expired.body).to.deep.equal(unknown.body);
    });
  });

  describe('DELETE /sessions', () => {
    it('ends the session and redirects to / with 302, clearing the cookie', async () => {
      await register();
      const token = await logIn();
      const reply = await api.delete('/sessions', { cookie: `session_id=${token}` });
      expect(reply.status).to.equal(302);
      expect(reply.headers.get('location')).to.equal('/');
      expect(reply.headers.get('content-type')).to.match(/^application\/json/);
      expect(reply.setCookies.some((cookie) => /^session_id=;.*Max-Age=0/.test(cookie))).to.equal(true);
      expectError(await api.get('/profile', { cookie: `session_id=${token}` }), 403);
    });

    it('ends only that session', async () => {
      await register();
      const laptop = await logIn();
      const phone = await logIn();
      await api.delete('/sessions', { cookie: `session_id=${laptop}` });
      expectJson(await api.get('/profile', { cookie: `session_id=${phone}` }), 200, { email: EMAIL, email_verified: false });
    });

    it('answers 403 without a valid session', async () => {
      expectError(await api.delete('/sessions'), 403);
      expectError(await api.delete('/sessions', { cookie: 'session_id=unknown' }), 403);
    });
  });

  describe('POST /reset_password', () => {
    it('answers 200 with exactly email and reset_token', async () => {
      await register();
      const reply = await api.post('/reset_password', { form: { email: 'BOB@example.com' } });
      expect(reply.status).to.equal(200);
      expect(reply.body).to.have.all.keys('email', 'reset_token');
      expect(reply.body).to.include({ email: EMAIL });
      expect((reply.body as { reset_token: string }).reset_token).to.match(/^[A-Za-z0-9_-]{43}$/);
    });

    it('answers 403 for an unknown email and 400 for a missing one', async () => {
      expectError(await api.post('/reset_password', { form: { email: 'nobody@example.com' } }), 403);
      expectError(await api.post('/reset_password', { form: {} }), 400, 'email is required');
      expectError(await api.post('/reset_password', { json: { email: ['x'] } }), 400, 'email must be a string');
    });
  });

  describe('PUT /reset_password', () => {
    const NEW_PASSWORD = 'a new password';

    async function reset(token: string, email = EMAIL, newPassword = NEW_PASSWORD): Promise<Reply> {
      return api.put('/reset_password', { form: { email, reset_token: token, new_password: newPassword } });
    }

    beforeEach(async () => {
      await register();
    });

    it('updates the password: 200 with exactly email and message; the new password logs in', async () => {
      expectJson(await reset(await resetToken()), 200, { email: EMAIL, message: 'Password updated' });
      expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(401);
      await logIn(EMAIL, NEW_PASSWORD);
    });

    it('answers 403 for a wrong, used, superseded, expired or foreign token', async () => {
      expectError(await reset('wrong'), 403);

      const used = await resetToken();
      await reset(used);
      expectError(await reset(used, EMAIL, 'another new password'), 403);

      const superseded = await resetToken();
      const current = await resetToken();
      expectError(await reset(superseded), 403);

      server.clock.advance(30 * MINUTE);
      expectError(await reset(current), 403);

      await register('carol@example.com');
      expectError(await reset(await resetToken('carol@example.com')), 403);
    });

    it('ends every session of the user', async () => {
      const session = await logIn(EMAIL, PASSWORD);
      await reset(await resetToken());
      expectError(await api.get('/profile', { cookie: `session_id=${session}` }), 403);
    });

    it('lets exactly one of two concurrent uses of one token succeed', async () => {
      const token = await resetToken();
      const replies = await Promise.all([reset(token, EMAIL, 'first new password'), reset(token, EMAIL, 'second new password')]);
      expect(replies.map((reply) => reply.status).sort()).to.deep.equal([200, 403]);
    });

    it('answers 200 again to the same email, token and new password (a retry after a lost answer), and 403 to another password', async () => {
      const token = await resetToken();
      expect((await reset(token)).status).to.equal(200);
      expectJson(await reset(token), 200, { email: EMAIL, message: 'Password updated' });
      expectError(await reset(token, EMAIL, 'another new password'), 403);
      expect(sessionCookieOf(await api.post('/sessions', { form: { email: EMAIL, password: NEW_PASSWORD } }))).to.be.a('string');
    });

    it('answers 400 naming a missing, empty or weak field, and keeps the token usable', async () => {
      const token = await resetToken();
      expectError(await api.put('/reset_password', { form: { email: EMAIL, new_password: NEW_PASSWORD } }), 400, 'reset_token is required');
      expectError(await api.put('/reset_password', { form: { email: EMAIL, reset_token: token } }), 400, 'new_password is required');
      expectError(await reset('', EMAIL), 400, 'reset_token must not be empty');
      expectError(await reset(token, EMAIL, 'short'), 400, 'new_password must be at least 8 characters');
      expectError(
        await api.put('/reset_password', { json: { email: EMAIL, reset_token: { $ne: '' }, new_password: NEW_PASSWORD } }),
        400,
        'reset_token must be a string',
      );
      expectJson(await reset(token), 200, { email: EMAIL, message: 'Password updated' });
    });
  });

  describe('health', () => {
    it('GET /healthz answers 200 while the process is up', async () => {
      expectJson(await api.get('/healthz'), 200, { status: 'ok' });
    });

    it('GET /readyz answers 200 when the store answers', async () => {
      expectJson(await api.get('/readyz'), 200, { status: 'ready' });
    });

    it('neither is rate-limited', async () => {
      const rateLimited = await startTestServer({ env: { ...storeEnv(), RATE_LIMIT_ADDRESS: '1/1m' } });
      try {
        const client = clientFor(rateLimited.url);
        for (let i = 0; i < 5; i += 1) {
          expect((await client.get('/healthz')).status).to.equal(200);
          expect((await client.get('/readyz')).status).to.equal(200);
        }
      } finally {
        await rateLimited.close();
      }
    });
  });

  describe('unknown routes and methods', () => {
    it('answers 404 in JSON for an unknown route', async () => {
      expectError(await api.get('/nowhere'), 404, 'not found');
      expectError(await api.post('/nowhere', { form: { a: 'b' } }), 404, 'not found');
    });

    it('answers 405 in JSON, with Allow, for a wrong method on a known route', async () => {
      const reply = await api.send('PATCH', '/users');
      expectError(reply, 405, 'method not allowed');
      expect(reply.headers.get('allow')).to.equal('POST');
      expectError(await api.send('PUT', '/sessions'), 405);
      expectError(await api.post('/profile'), 405);
      expectError(await api.delete('/'), 405);
    });
  });

  describe('unexpected failures', () => {
    it('answer a bare 500 in JSON, with no stack trace', async () => {
      const failing = await startTestServer({
        env: storeEnv(),
        configure: (container) => {
          const users = new InMemoryUserRepository();
          users.findByEmail = () => Promise.reject(new Error('disk on fire at /var/lib/secret'));
          container.rebind(TOKENS.UserRepository).toConstantValue(users);
        },
      });
      try {
        const reply = await request(failing.url, 'POST', '/sessions', { form: { email: EMAIL, password: PASSWORD } });
        expectJson(reply, 500, { code: 'internal_error', message: 'internal server error' });
      } finally {
        await failing.close();
      }
    });
  });
});
