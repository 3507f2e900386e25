import { expect } from 'chai';
import { clientFor, expectErrorCode, sessionCookieOf, type Client } from '../../../support/http-client.js';
import { describeForEachStore } from '../../../support/stores.js';
import { startTestServer, type TestServer } from '../../../support/test-server.js';

const EMAIL = 'sam@example.com';
const OTHER = 'kim@example.com';
const PASSWORD = 'sam long password';
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Listed {
  id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  current: boolean;
  user_agent: string | null;
  address: string | null;
}

describeForEachStore('the session routes over HTTP', (storeEnv) => {
  let server: TestServer;
  let api: Client;

  const logIn = async (email = EMAIL, headers: Record<string, string> = {}): Promise<string> =>
    `session_id=${sessionCookieOf(await api.post('/sessions', { form: { email, password: PASSWORD }, headers }))}`;
  const listed = async (cookie: string): Promise<Listed[]> => {
    const reply = await api.get('/sessions', { cookie });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    return (reply.body as { sessions: Listed[] }).sessions;
  };

  async function start(env: Record<string, string> = {}): Promise<void> {
    server = await startTestServer({ env: { ...storeEnv(), ...env } });
    api = clientFor(server.url);
    for (const email of [EMAIL, OTHER]) expect((await api.post('/users', { form: { email, password: PASSWORD } })).status).to.equal(200);
  }

  afterEach(async () => {
    await server.close();
  });

  describe('GET /sessions', () => {
    beforeEach(() => start());

    it('lists the live sessions newest first, in ISO 8601 UTC, the current one marked, with User-Agent and address', async () => {
      const first = await logIn(EMAIL, { 'user-agent': 'Firefox/133.0' });
      server.clock.advance(1000);
      await logIn(EMAIL, { 'user-agent': 'curl/8.0' });
      await logIn(OTHER);
      const sessions = await listed(first);
      expect(sessions.map(({ current, user_agent, address }) => ({ current, user_agent, address }))).to.deep.equal([
        { current: false, user_agent: 'curl/8.0', address: '127.0.0.1' },
        { current: true, user_agent: 'Firefox/133.0', address: '127.0.0.1' },
      ]);
      for (const session of sessions) {
        for (const time of [session.created_at, session.last_seen_at, session.expires_at]) expect(time).to.match(ISO_UTC);
        expect(Object.keys(session).sort()).to.deep.equal([
          'address',
          'created_at',
          'current',
          'expires_at',
          'id',
          'last_seen_at',
          'user_agent',
        ]);
        expect(first).not.to.contain(session.id);
      }
    });

    it('cuts a long User-Agent to 256 characters', async () => {
      const cookie = await logIn(EMAIL, { 'user-agent': `Agent/${'x'.repeat(400)}` });
      const [session] = await listed(cookie);
      expect(session?.user_agent).to.equal(`Agent/${'x'.repeat(250)}`);
    });

    it('answers 403 without a valid session', async () => {
      expectErrorCode(await api.get('/sessions'), 403, 'invalid_session');
      expectErrorCode(await api.get('/sessions', { cookie: 'session_id=forged' }), 403, 'invalid_session');
    });
  });

  describe('the address shown', () => {
    it('is the address the service sees: the forwarded client behind a trusted proxy', async () => {
      await start({ TRUST_PROXY: 'true' });
      const cookie = await logIn(EMAIL, { 'x-forwarded-for': '203.0.113.50' });
      expect((await listed(cookie))[0]?.address).to.equal('203.0.113.50');
    });

    it('is the peer, whatever X-Forwarded-For says, without TRUST_PROXY', async () => {
      await start();
      const cookie = await logIn(EMAIL, { 'x-forwarded-for': '203.0.113.50' });
      expect((await listed(cookie))[0]?.address).to.equal('127.0.0.1');
    });
  });

  describe('DELETE /sessions/{id}', () => {
    beforeEach(() => start());

    it('ends that session at once, another device’s: 200, the cookie of this one untouched', async () => {
      const mine = await logIn();
      const lost = await logIn();
      const target = (await listed(mine)).find(({ current }) => !current)?.id ?? '';
      const reply = await api.delete(`/sessions/${encodeURIComponent(target)}`, { cookie: mine });
      expect({ status: reply.status, body: reply.body }).to.deep.equal({ status: 200, body: { message: 'session ended' } });
      expect(reply.setCookies).to.deep.equal([]);
      expectErrorCode(await api.get('/profile', { cookie: lost }), 403, 'invalid_session');
      expect((await api.get('/profile', { cookie: mine })).status).to.equal(200);
    });

    it('ends the caller’s own session and clears its cookie', async () => {
      const mine = await logIn();
      const own = (await listed(mine)).find(({ current }) => current)?.id ?? '';
      const reply = await api.delete(`/sessions/${encodeURIComponent(own)}`, { cookie: mine });
      expect(reply.status).to.equal(200);
      expect(reply.setCookies).to.have.length(1);
      expect(reply.setCookies[0]).to.match(/^session_id=; Max-Age=0;/);
      expectErrorCode(await api.get('/profile', { cookie: mine }), 403, 'invalid_session');
    });

    it('answers the same 404 for another user’s session, an ended one, an unknown id and a token, ending nothing', async () => {
      const mine = await logIn();
      const theirs = await logIn(OTHER);
      const theirId = (await listed(theirs))[0]?.id ?? '';
      const ended = await logIn();
      const endedId = (await listed(ended)).find(({ current }) => current)?.id ?? '';
      await api.delete('/sessions', { cookie: ended });
      const answers = [];
      for (const id of [theirId, endedId, 'nonexistent', theirs.slice('session_id='.length), '%E2%82%AC', 'x'.repeat(2000)]) {
        const reply = await api.delete(`/sessions/${id === '%E2%82%AC' ? id : encodeURIComponent(id)}`, { cookie: mine });
        expectErrorCode(reply, 404, 'session_not_found');
        answers.push(reply.body);
      }
      expect(new Set(answers.map((body) => JSON.stringify(body))).size, 'one answer for all').to.equal(1);
      expect((await api.get('/profile', { cookie: theirs })).status).to.equal(200);
    });

    it('answers 403 without a valid session or from another site', async () => {
      const mine = await logIn();
      const id = (await listed(mine))[0]?.id ?? '';
      expectErrorCode(await api.delete(`/sessions/${id}`), 403, 'invalid_session');
      expectErrorCode(
        await api.delete(`/sessions/${id}`, { cookie: mine, headers: { origin: 'https://evil.example' } }),
        403,
        'cross_site_refused',
      );
      expect((await api.get('/profile', { cookie: mine })).status).to.equal(200);
    });
  });

  describe('DELETE /sessions/others', () => {
    beforeEach(() => start());

    it('ends every other session of the user and keeps this one: 200 with the count', async () => {
      const mine = await logIn();
      const others = [await logIn(), await logIn()];
      const theirs = await logIn(OTHER);
      const reply = await api.delete('/sessions/others', { cookie: mine });
      expect({ status: reply.status, body: reply.body }).to.deep.equal({ status: 200, body: { ended: 2 } });
      for (const cookie of others) expectErrorCode(await api.get('/profile', { cookie }), 403, 'invalid_session');
      expect((await api.get('/profile', { cookie: mine })).status).to.equal(200);
      expect((await api.get('/profile', { cookie: theirs })).status).to.equal(200);
      expect((await listed(mine)).map(({ current }) => current)).to.deep.equal([true]);
    });

    it('answers 403 without a valid session or from another site', async () => {
      const mine = await logIn();
      const other = await logIn();
      expectErrorCode(await api.delete('/sessions/others'), 403, 'invalid_session');
      expectErrorCode(
        await api.delete('/sessions/others', { cookie: mine, headers: { origin: 'https://evil.example' } }),
        403,
        'cross_site_refused',
      );
      expect((await api.get('/profile', { cookie: other })).status).to.equal(200);
    });
  });
});
