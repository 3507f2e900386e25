import type { IncomingMessage, ServerResponse } from 'node:http';
import { expect } from 'chai';
import helmet, { type HelmetOptions } from 'helmet';
import { securityHeaders } from '../../../src/adapters/http/security-headers.js';
import { clientFor, sessionCookieOf, type Client, type Reply } from '../../support/http-client.js';
import { describeForEachStore } from '../../support/stores.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const EMAIL = 'hedy@example.com';
const PASSWORD = 'hedy password';

function expectJsonApiHeaders(reply: Reply, what: string): void {
  const header = (name: string) => reply.headers.get(name);
  expect(header('x-content-type-options'), what).to.equal('nosniff');
  expect(header('cache-control'), what).to.equal('no-store');
  expect(header('referrer-policy'), what).to.equal('no-referrer');
  expect(header('content-security-policy'), what).to.contain("default-src 'none'").and.to.contain("frame-ancestors 'none'");
  expect(header('x-frame-options'), what).to.equal('DENY');
  expect(header('x-powered-by'), what).to.equal(null);
}

describeForEachStore('security headers and cross-site requests', (storeEnv) => {
  let server: TestServer;
  let api: Client;

  beforeEach(async () => {
    server = await startTestServer({ env: { ...storeEnv(), ALLOWED_ORIGINS: 'https://app.example.com' } });
    api = clientFor(server.url);
  });

  afterEach(async () => {
    await server.close();
  });

  async function loggedIn(): Promise<string> {
    await api.post('/users', { form: { email: EMAIL, password: PASSWORD } });
    return sessionCookieOf(await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })) ?? '';
  }

  it('sends the JSON API headers on every kind of response, errors included', async () => {
    const token = await loggedIn();
    const replies: Array<[string, Reply]> = [
      ['GET /', await api.get('/')],
      ['POST /users 400', await api.post('/users', { form: { email: 'bad' } })],
      ['POST /sessions 200', await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })],
      ['POST /sessions 401', await api.post('/sessions', { form: { email: EMAIL, password: 'wrong' } })],
      ['GET /profile 200', await api.get('/profile', { cookie: `session_id=${token}` })],
      ['GET /profile 403', await api.get('/profile')],
      ['POST /reset_password 200', await api.post('/reset_password', { form: { email: EMAIL } })],
      [
        'PUT /reset_password 403',
        await api.put('/reset_password', { form: { email: EMAIL, reset_token: 'x', new_password: 'new password' } }),
      ],
      ['DELETE /sessions 302', await api.delete('/sessions', { cookie: `session_id=${token}` })],
      ['404', await api.get('/nowhere')],
      ['405', await api.send('PATCH', '/profile')],
      ['413', await api.post('/users', { form: { email: EMAIL, password: 'x'.repeat(20_000) } })],
      ['415', await api.post('/users', { raw: { contentType: 'text/plain', body: 'hello' } })],
      ['400 JSON', await api.post('/users', { raw: { contentType: 'application/json', body: '{' } })],
    ];
    for (const [what, reply] of replies) expectJsonApiHeaders(reply, what);
  });

  it('sends Strict-Transport-Security only when the service is served over HTTPS (COOKIE_SECURE=true)', async () => {
    expect((await api.get('/')).headers.get('strict-transport-security')).to.equal(null);
    const https = await startTestServer({ env: { ...storeEnv(), COOKIE_SECURE: 'true' } });
    try {
      expect((await clientFor(https.url).get('/')).headers.get('strict-transport-security')).to.match(/^max-age=\d+/);
    } finally {
      await https.close();
    }
  });

  describe('Origin check on state changes', () => {
    it('refuses a log-out from another site with 403, and keeps the session', async () => {
      const token = await loggedIn();
      const reply = await api.delete('/sessions', { cookie: `session_id=${token}`, headers: { origin: 'https://evil.example' } });
      expect(reply.status).to.equal(403);
      expect((reply.body as { message: string }).message).to.match(/cross-site/);
      expect((await api.get('/profile', { cookie: `session_id=${token}` })).status).to.equal(200);
    });

    it('accepts the service’s own origin, an ALLOWED_ORIGINS entry, and clients that send no Origin', async () => {
      for (const origin of [server.url, 'https://app.example.com', undefined]) {
        const token = await loggedIn();
        const headers = origin === undefined ? undefined : { origin };
        const reply = await api.delete('/sessions', { cookie: `session_id=${token}`, headers });
        expect(reply.status, String(origin)).to.equal(302);
      }
    });

    it('behind a proxy (TRUST_PROXY=true), takes the service’s origin from X-Forwarded-Proto and -Host', async () => {
      const proxied = await startTestServer({ env: { ...storeEnv(), TRUST_PROXY: 'true' } });
      try {
        const client = clientFor(proxied.url);
        const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'auth.example.com' };
        const form = { email: EMAIL, password: PASSWORD };
        const same = await client.post('/users', { form, headers: { ...forwarded, origin: 'https://auth.example.com' } });
        expect(same.status).to.equal(200);
        const other = await client.post('/users', { form, headers: { ...forwarded, origin: 'http://auth.example.com' } });
        expect(other.status).to.equal(403);
      } finally {
        await proxied.close();
      }
    });

    it('refuses cross-site log-ins, registrations and resets too (login CSRF), and Origin: null', async () => {
      const evil = { origin: 'https://evil.example' };
      expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD }, headers: evil })).status).to.equal(403);
      expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD }, headers: { origin: 'null' } })).status).to.equal(
        403,
      );
      expect((await api.post('/reset_password', { form: { email: EMAIL }, headers: evil })).status).to.equal(403);
      expect((await api.get('/profile', { headers: evil })).status, 'reads are not state changes').to.equal(403);
      expect((await api.get('/', { headers: evil })).status).to.equal(200);
      expect((await api.post('/users', { form: { email: EMAIL, password: PASSWORD } })).status, 'nothing was registered').to.equal(200);
    });
  });
});

/** The choices security-headers.ts describes, as helmet options. */
function helmetOptions(https: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: false,
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    xDnsPrefetchControl: false,
    originAgentCluster: false,
  };
}

/** What helmet does to a response with these options: the headers it sets, and those it removes. */
function runHelmet(https: boolean): { readonly set: Map<string, string>; readonly removed: string[] } {
  const set = new Map<string, string>();
  const removed: string[] = [];
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => set.set(name, String(value)),
    removeHeader: (name: string) => removed.push(name),
    getHeader: (name: string) => set.get(name),
  } as unknown as ServerResponse;
  let finished: unknown = 'not called';
  helmet(helmetOptions(https))({} as IncomingMessage, response, (error?: unknown) => (finished = error));
  expect(finished, 'helmet finished, without an error').to.equal(undefined);
  return { set, removed };
}

describe('security headers: the literal list against helmet', () => {
  const sorted = (headers: Iterable<readonly [string, string]>) => [...headers].map(([name, value]) => `${name}: ${value}`).sort();

  for (const https of [false, true]) {
    it(`equals helmet's headers for the same options, plus Cache-Control (https: ${https})`, () => {
      const { set, removed } = runHelmet(https);
      expect(sorted(securityHeaders(https))).to.deep.equal(sorted([...set, ['Cache-Control', 'no-store']]));
      // Removing a header is something the list cannot do: only one that nothing here ever sets.
      expect(removed).to.deep.equal(['X-Powered-By']);
    });
  }
});
