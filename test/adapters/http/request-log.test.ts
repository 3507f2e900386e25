import { expect } from 'chai';
import { capturedLogger, type CapturedLog } from '../../support/captured-logger.js';
import { clientFor, sessionCookieOf, type Client } from '../../support/http-client.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const EMAIL = 'lena@example.com';
const PASSWORD = 'lena password';

describe('request log', () => {
  let server: TestServer;
  let api: Client;
  let log: CapturedLog;

  async function start(env: Record<string, string> = {}): Promise<void> {
    log = capturedLogger();
    server = await startTestServer({ env, logger: log.logger });
    api = clientFor(server.url);
  }

  afterEach(async () => {
    await server.close();
  });

  const requestLines = () => log.lines().filter((line) => line.msg === 'request');

  it('writes one line per request: id, method, route, status and duration, and returns the id as X-Request-Id', async () => {
    await start();
    const registered = await api.post('/users', { form: { email: EMAIL, password: PASSWORD } });
    const missing = await api.get('/nowhere?token=abc');
    const lines = requestLines();
    expect(lines).to.have.length(2);
    const [first, second] = lines;
    expect(first).to.include({ method: 'POST', route: '/users', status: 200, requestId: registered.headers.get('x-request-id') });
    expect(first?.durationMs).to.be.a('number').and.at.least(0);
    expect(second).to.include({ method: 'GET', route: null, status: 404, requestId: missing.headers.get('x-request-id') });
    expect(first?.requestId).to.match(/^[0-9a-f-]{36}$/);
    expect(first?.requestId).not.to.equal(second?.requestId);
    expect(Object.keys(first ?? {})).to.have.members([
      'level',
      'time',
      'service',
      'requestId',
      'method',
      'route',
      'status',
      'durationMs',
      'msg',
    ]);
  });

  it('never logs what the client sent: no body, cookie, token or query', async () => {
    await start();
    await api.post('/users', { form: { email: EMAIL, password: PASSWORD } });
    const session = sessionCookieOf(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })) ?? '';
    await api.get('/profile', { cookie: `session_id=${session}` });
    const reset = await api.post('/reset_password', { json: { email: EMAIL } });
    const token = (reset.body as { reset_token: string }).reset_token;
    await api.put('/reset_password', { form: { email: EMAIL, reset_token: token, new_password: 'new lena password' } });
    await api.get(`/profile?session_id=${session}`);
    const text = log.text();
    expect(requestLines()).to.have.length(6);
    for (const secret of [PASSWORD, 'new lena password', session, token]) expect(text.includes(secret), secret).to.equal(false);
    expect(text).not.to.contain(EMAIL);
  });

  it('adopts a well-formed X-Request-Id from a trusted proxy only', async () => {
    await start({ TRUST_PROXY: 'true' });
    expect((await api.get('/', { headers: { 'x-request-id': 'lb-1234.abc' } })).headers.get('x-request-id')).to.equal('lb-1234.abc');
    const forged = await api.get('/', { headers: { 'x-request-id': 'x"},{"level":60' } });
    expect(forged.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    await server.close();

    await start();
    expect((await api.get('/', { headers: { 'x-request-id': 'lb-1234.abc' } })).headers.get('x-request-id')).not.to.equal('lb-1234.abc');
  });
});
