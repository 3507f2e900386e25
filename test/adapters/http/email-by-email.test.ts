import { expect } from 'chai';
import { TOKENS } from '../../../src/app/tokens.js';
import { digestToken } from '../../../src/domain/rules/secret-token.js';
import { capturedLogger, type CapturedLog } from '../../support/captured-logger.js';
import { startServiceProcess } from '../../support/child-process.js';
import { clientFor, expectErrorCode, request, sessionCookieOf, type Client, type Reply } from '../../support/http-client.js';
import { closedPort, SmtpTestServer, type ReceivedMessage } from '../../support/smtp-test-server.js';
import { describeForEachStore } from '../../support/stores.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const EMAIL = 'pat@example.com';
const PASSWORD = 'pat the password';
const NEW_PASSWORD = 'pat the new password';
const NEW = 'patricia@example.com';
const TAKEN = 'sam@example.com';
const UNKNOWN = 'nobody@example.com';
const MAIL_FROM = 'Accounts <noreply@example.com>';
const RESET_URL = 'https://app.example.com/reset?email={email}#token={token}';
const VERIFY_URL = 'https://app.example.com/verify?email={email}#token={token}';
const SENT = (email: string) => ({ email, message: 'verification sent' });
/** Pairs of timed sign-ups: enough for the median to stand on a shared 2-core machine. */
const ROUNDS = 25;

/** The one link to the verification page in a text, or a failure saying what the text was. */
function verifyLinkIn(message: ReceivedMessage): string {
  const links = message.text.match(/https:\/\/app\.example\.com\/verify\?\S+/g) ?? [];
  expect(links, message.text).to.have.length(1);
  return links[0] ?? '';
}

function tokenOf(link: string): string {
  const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token');
  if (token === null) throw new Error(`no token in ${link}`);
  return token;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

describeForEachStore('email addresses by email', (storeEnv) => {
  let smtp: SmtpTestServer;
  let server: TestServer | undefined;
  let api: Client;
  let log: CapturedLog;

  async function start(env: Record<string, string> = {}): Promise<void> {
    log = capturedLogger('info');
    server = await startTestServer({
      env: { ...storeEnv(), RESET_TOKEN_DELIVERY: 'email', SMTP_URL: smtp.url(), MAIL_FROM, RESET_URL, VERIFY_URL, ...env },
      logger: log.logger,
    });
    api = clientFor(server.url);
  }

  beforeEach(async () => {
    smtp = await SmtpTestServer.start();
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await smtp.stop();
  });

  /** Waits until the test server holds `count` messages (background notices arrive after the answer). */
  async function messages(count: number): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + 10_000;
    while (smtp.messages.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${smtp.messages.length}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return smtp.messages;
  }
  const lastTo = async (count: number, to: string) => {
    const received = (await messages(count)).filter((message) => message.envelope.to.includes(to));
    const last = received.at(-1);
    if (last === undefined) throw new Error(`no message to ${to}`);
    return last;
  };

  const register = (email = EMAIL, password = PASSWORD, headers: Record<string, string> = {}) =>
    api.post('/users', { form: { email, password }, headers });
  const logIn = async (email = EMAIL, password = PASSWORD) =>
    `session_id=${sessionCookieOf(await api.post('/sessions', { form: { email, password } }))}`;
  const verify = (email: string, token: string) => api.put('/email_verification', { form: { email, verification_token: token } });
  const storedUser = (email: string) => (server as TestServer).container.get(TOKENS.UserRepository).findByEmail(email);

  function expectSent(reply: Reply, email: string): void {
    expect({ status: reply.status, body: reply.body }).to.deep.equal({ status: 200, body: SENT(email) });
  }

  /** Nothing a user typed, no token and no digest in the log, and no password in any message. */
  function expectNoSecrets(tokens: readonly string[] = []): void {
    const secrets = [PASSWORD, NEW_PASSWORD, ...tokens.flatMap((token) => [token, digestToken(token)])];
    for (const secret of secrets) expect(log.text(), 'the log').not.to.contain(secret);
    const mail = smtp.messages.map((message) => message.raw).join('\n');
    for (const secret of [PASSWORD, NEW_PASSWORD]) expect(mail, 'the messages').not.to.contain(secret);
  }

  describe('sign-up that reveals nothing', () => {
    it('answers an address already registered exactly like a new one, and mails its owner', async () => {
      await start();
      const fresh = await register();
      const again = await register(` ${EMAIL.toUpperCase()}`, 'someone else entirely');
      const comparable = (reply: Reply) => ({
        status: reply.status,
        body: reply.body,
        headers: [...reply.headers.entries()].filter(([name]) => !['date', 'x-request-id'].includes(name)),
      });
      expect(comparable(again)).to.deep.equal(comparable(fresh));
      expect(fresh.body).to.deep.equal({ email: EMAIL, message: 'user created' });
      const [notice] = await messages(1);
      expect(notice?.envelope.to).to.deep.equal([EMAIL]);
      expect(notice?.subject).to.match(/sign up/i);
      expect(`${notice?.text}${notice?.html}`, 'nothing to use in it').not.to.match(/https?:/);
      // The first password still logs in; the attempt changed nothing.
      expect((await api.post('/sessions', { form: { email: EMAIL, password: PASSWORD } })).status).to.equal(200);
      expectNoSecrets();
    });

    it('with EMAIL_VERIFICATION=optional, mails a new account its verification link, which verifies it', async () => {
      await start({ EMAIL_VERIFICATION: 'optional' });
      expect((await register(EMAIL, PASSWORD, { 'Accept-Language': 'fr-CA, en;q=0.5' })).status).to.equal(200);
      const [message] = await messages(1);
      expect(message?.envelope.to).to.deep.equal([EMAIL]);
      expect(message?.html).to.contain('lang="fr"');
      const link = verifyLinkIn(message as ReceivedMessage);
      expect(new URL(link).searchParams.get('email')).to.equal(EMAIL);
      const cookie = await logIn();
      expect((await api.get('/profile', { cookie })).body).to.deep.equal({ email: EMAIL, email_verified: false });
      expect((await verify(EMAIL, tokenOf(link))).status).to.equal(200);
      expect((await api.get('/profile', { cookie })).body).to.deep.equal({ email: EMAIL, email_verified: true });
      expectNoSecrets([tokenOf(link)]);
    });
  });

  // The service in a process of its own, as a client sees it: in this process the background notice would
  // run on the test client's own event loop, between the answer being written and the client reading it.
  for (const mode of ['off', 'optional'] as const) {
    it(`sign-up takes the same time for an existing address as for a new one, within 5 % at the median (EMAIL_VERIFICATION=${mode})`, async () => {
      // A real cost, so the hash is what the time is made of, as in production; rate limits off for the many sign-ups.
      const service = await startServiceProcess({
        ...storeEnv(),
        RESET_TOKEN_DELIVERY: 'email',
        SMTP_URL: smtp.url(),
        MAIL_FROM,
        RESET_URL,
        VERIFY_URL,
        BCRYPT_COST: '11',
        RATE_LIMIT: 'off',
        EMAIL_VERIFICATION: mode,
      });
      try {
        const register = (email: string) => request(service.url, 'POST', '/users', { form: { email, password: PASSWORD } });
        expect((await register(EMAIL)).status).to.equal(200);
        let expected = mode === 'optional' ? 1 : 0;
        await messages(expected);
        const timed = async (email: string): Promise<number> => {
          const started = process.hrtime.bigint();
          const reply = await register(email);
          const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
          expect(reply.status).to.equal(200);
          return elapsed;
        };
        const fresh: number[] = [];
        const existing: number[] = [];
        for (let round = 0; round < ROUNDS; round += 1) {
          // Alternating which goes first, and letting each message arrive before the next request is timed.
          for (const kind of round % 2 === 0 ? ['fresh', 'existing'] : ['existing', 'fresh']) {
            if (kind === 'fresh') fresh.push(await timed(`new-${round}@example.com`));
            else existing.push(await timed(EMAIL));
            expected += kind === 'fresh' && mode === 'off' ? 0 : 1;
            await messages(expected);
            // The service ends its SMTP conversation (QUIT) after the server has the message: let it, untimed.
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
        const [freshMs, existingMs] = [median(fresh), median(existing)];
        const ratio = existingMs / freshMs;
        const range = (values: number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
        const figures = `new ${freshMs.toFixed(1)} ms (${range(fresh)}), existing ${existingMs.toFixed(1)} ms (${range(existing)}), ratio ${ratio.toFixed(3)}`;
        process.stdout.write(`      sign-up timing, EMAIL_VERIFICATION=${mode}, ${ROUNDS} pairs: ${figures}\n`);
        expect(Math.abs(ratio - 1), figures).to.be.below(0.05);
      } finally {
        expect(await service.stop()).to.equal(0);
      }
    });
  }
  describe('POST /email_verification', () => {
    it('mails the link for any address, known or not, verified or not, with the same answer', async () => {
      await start();
      await register();
      await messages(0);
      expectSent(await api.post('/email_verification', { form: { email: EMAIL } }), EMAIL);
      const link = verifyLinkIn((await messages(1))[0] as ReceivedMessage);
      expect((await storedUser(EMAIL))?.verificationTokenHash).to.equal(digestToken(tokenOf(link)));
      expectSent(await api.post('/email_verification', { form: { email: UNKNOWN } }), UNKNOWN);
      const standIn = (await messages(2))[1] as ReceivedMessage;
      expect(standIn.envelope.to).to.deep.equal([UNKNOWN]);
      expect(`${standIn.text}${standIn.html}`).not.to.match(/https?:/);
      expect((await verify(EMAIL, tokenOf(link))).status).to.equal(200);
      expectSent(await api.post('/email_verification', { form: { email: EMAIL } }), EMAIL);
      await messages(3);
      expectNoSecrets([tokenOf(link)]);
    });

    it('answers 503 with Retry-After when the mail server is down', async () => {
      await start({ SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` });
      await register();
      for (const email of [EMAIL, UNKNOWN]) {
        expectErrorCode(await api.post('/email_verification', { form: { email } }), 503, 'delivery_unavailable');
      }
    });
  });

  describe('PUT /email', () => {
    it('mails the new address; once verified the old one is told and can no longer log in', async () => {
      await start();
      await register();
      const cookie = await logIn();
      const other = await logIn();
      expectSent(await api.put('/email', { cookie, form: { password: PASSWORD, new_email: NEW } }), NEW);
      const link = verifyLinkIn((await messages(1))[0] as ReceivedMessage);
      expect((await messages(1))[0]?.envelope.to).to.deep.equal([NEW]);
      expect((await verify(NEW, tokenOf(link))).body).to.deep.equal({ email: NEW, message: 'Email verified' });
      const notice = await lastTo(2, EMAIL);
      expect(notice.text).to.contain(NEW);
      expect(`${notice.text}${notice.html}`).not.to.match(/https?:/);
      expect((await api.get('/profile', { cookie })).body).to.deep.equal({ email: NEW, email_verified: true });
      expectErrorCode(await api.get('/profile', { cookie: other }), 403, 'invalid_session');
      expectNoSecrets([tokenOf(link)]);
    });

    it('answers an address another account has like a free one, changing nothing, and tells that account’s owner', async () => {
      await start();
      await register();
      await register(TAKEN);
      const cookie = await logIn();
      const reply = await api.put('/email', { cookie, form: { password: PASSWORD, new_email: TAKEN } });
      expectSent(reply, TAKEN);
      const notice = (await messages(1))[0] as ReceivedMessage;
      expect(notice.envelope.to).to.deep.equal([TAKEN]);
      expect(`${notice.text}${notice.html}`).not.to.match(/https?:/);
      expect(notice.text).not.to.contain(EMAIL);
      expect((await storedUser(EMAIL))?.pendingEmail).to.equal(null);
    });
  });

  describe('security notices', () => {
    it('password changed, password reset, account deleted: each mailed to the account once the change committed', async () => {
      await start();
      await register();
      let cookie = await logIn();
      const changed = await api.put('/password', { cookie, form: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
      expect(changed.status).to.equal(200);
      expect((await lastTo(1, EMAIL)).subject).to.match(/password/i);

      await api.post('/reset_password', { form: { email: EMAIL } });
      const resetLink = (await messages(2))[1]?.text.match(/https:\/\/app\.example\.com\/reset\?\S+/)?.[0] ?? '';
      const resetToken = tokenOf(resetLink);
      const reset = await api.put('/reset_password', { form: { email: EMAIL, reset_token: resetToken, new_password: PASSWORD } });
      expect(reset.status).to.equal(200);
      const resetNotice = (await messages(3))[2] as ReceivedMessage;
      expect(resetNotice.envelope.to).to.deep.equal([EMAIL]);
      expect(resetNotice.text).not.to.contain(resetToken);

      cookie = await logIn();
      expect((await api.delete('/users/me', { cookie, form: { password: PASSWORD } })).status).to.equal(200);
      const deleted = (await messages(4))[3] as ReceivedMessage;
      expect(deleted.envelope.to).to.deep.equal([EMAIL]);
      expect(new Set(smtp.messages.map((message) => message.subject)).size, 'each its own subject').to.equal(4);
      expectNoSecrets([resetToken]);
    });

    it('a notice that cannot be sent never undoes the change, and is logged without secrets', async () => {
      await start({ SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` });
      await register();
      const cookie = await logIn();
      const changed = await api.put('/password', { cookie, form: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
      expect(changed.status).to.equal(200);
      expect((await api.post('/sessions', { form: { email: EMAIL, password: NEW_PASSWORD } })).status).to.equal(200);
      const deadline = Date.now() + 10_000;
      while (!log.text().includes('a notice could not be sent')) {
        if (Date.now() > deadline) throw new Error(`no failure logged: ${log.text()}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(log.text()).to.contain('password-changed');
      expect(log.text()).not.to.contain(EMAIL);
      expectNoSecrets();
    });
  });

  it('spends no token on a GET: the link opens a page, and the API has no GET for it', async () => {
    await start();
    await register();
    await api.post('/email_verification', { form: { email: EMAIL } });
    const token = tokenOf(verifyLinkIn((await messages(1))[0] as ReceivedMessage));
    const query = new URLSearchParams({ email: EMAIL, verification_token: token });
    expect((await api.get(`/email_verification?${query.toString()}`)).status).to.equal(405);
    expect((await verify(EMAIL, token)).status, 'still unspent').to.equal(200);
  });
});
