import { expect } from 'chai';
import { escapeHtml } from '../notification/messages.js';
import { TOKENS } from '../../../src/app/tokens.js';
import { digestToken } from '../../../src/domain/rules/secret-token.js';
import { capturedLogger, type CapturedLog } from '../../support/captured-logger.js';
import { clientFor, type Client, type Reply } from '../../support/http-client.js';
import { closedPort, silentServer, SmtpTestServer, type ReceivedMessage } from '../../support/smtp-test-server.js';
import { describeForEachStore } from '../../support/stores.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const EMAIL = 'bob@example.com';
const PASSWORD = 'hunter2hunter2';
const NEW_PASSWORD = 'correct horse battery staple';
const UNKNOWN = 'nobody@example.com';
const MAIL_FROM = 'Auth Service <noreply@example.com>';
// The token in the fragment (kept out of the front end's server logs), the email in the query.
const RESET_URL = 'https://app.example.com/reset?email={email}#token={token}';
const SENT = (email: string) => ({ email, message: 'reset instructions sent' });

/** The one link to the reset page in a text, or a failure saying what the text was. */
function linkIn(text: string): string {
  const links = text.match(/https:\/\/app\.example\.com\/reset\?\S+/g) ?? [];
  expect(links, text).to.have.length(1);
  return links[0] ?? '';
}

function tokenOf(link: string): string {
  const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token');
  if (token === null) throw new Error(`no token in ${link}`);
  return token;
}

describeForEachStore('password reset by email', (storeEnv) => {
  let smtp: SmtpTestServer;
  let server: TestServer | undefined;
  let api: Client;
  let log: CapturedLog;
  /** Every token the service generated (ids, sessions, reset tokens), in order. */
  let generated: string[];

  async function start(env: Record<string, string> = {}): Promise<void> {
    log = capturedLogger('info');
    generated = [];
    server = await startTestServer({
      env: { ...storeEnv(), RESET_TOKEN_DELIVERY: 'email', SMTP_URL: smtp.url(), MAIL_FROM, RESET_URL, VERIFY_URL: RESET_URL, ...env },
      logger: log.logger,
      configure: (container) => {
        const tokens = container.get(TOKENS.TokenGenerator);
        container.rebind(TOKENS.TokenGenerator).toConstantValue({
          generate: () => {
            const token = tokens.generate();
            generated.push(token);
            return token;
          },
        });
      },
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

  const register = async (email = EMAIL) =>
    expect((await api.post('/users', { form: { email, password: PASSWORD } })).status).to.equal(200);
  const requestReset = (email = EMAIL) => api.post('/reset_password', { form: { email } });
  const logIn = async (password: string, email = EMAIL) => (await api.post('/sessions', { form: { email, password } })).status;
  const storedUser = (email = EMAIL) => (server as TestServer).container.get(TOKENS.UserRepository).findByEmail(email);

  function expectSent(reply: Reply, email = EMAIL): void {
    expect({ status: reply.status, body: reply.body }).to.deep.equal({ status: 200, body: SENT(email) });
  }

  function expectUnavailable(reply: Reply): void {
    expect(reply.status, JSON.stringify(reply.body)).to.equal(503);
    expect(reply.body).to.deep.equal({
      code: 'delivery_unavailable',
      message: 'the message could not be sent now, please retry later',
    });
    expect(reply.headers.get('retry-after')).to.equal('30');
  }

  /** Nothing the user typed and no reset token (or its digest) in the service's log or in any message. */
  function expectNoSecrets(tokens: readonly string[]): void {
    const secrets = [PASSWORD, NEW_PASSWORD, ...tokens.flatMap((token) => [token, digestToken(token)])];
    const mail = smtp.messages.map((message) => `${message.raw}\n${message.text}\n${message.html}`).join('\n');
    for (const secret of secrets) expect(log.text(), 'the log').not.to.contain(secret);
    for (const secret of [PASSWORD, NEW_PASSWORD]) expect(mail, 'the messages').not.to.contain(secret);
  }

  it('mails a link whose token completes the reset over HTTP; the new password logs in, the old one no more', async () => {
    await start();
    await register();
    expectSent(await requestReset(' Bob@Example.com '));
    expect(smtp.messages).to.have.length(1);
    const [message] = smtp.messages as [ReceivedMessage];
    expect(message.envelope).to.deep.equal({ from: 'noreply@example.com', to: [EMAIL] });
    expect(message).to.include({ subject: 'Reset your Account service password', from: '"Auth Service" <noreply@example.com>', to: EMAIL });
    expect(message.headerLines).to.include('Auto-Submitted: auto-generated');

    const link = linkIn(message.text);
    expect(new URL(link).searchParams.get('email')).to.equal(EMAIL);
    const token = tokenOf(link);
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect((await storedUser())?.resetTokenHash).to.equal(digestToken(token));

    const reset = await api.put('/reset_password', { form: { email: EMAIL, reset_token: token, new_password: NEW_PASSWORD } });
    expect({ status: reset.status, body: reset.body }).to.deep.equal({ status: 200, body: { email: EMAIL, message: 'Password updated' } });
    expect(await logIn(NEW_PASSWORD)).to.equal(200);
    expect(await logIn(PASSWORD)).to.equal(401);
    expectNoSecrets([token]);
  });

  it('puts the link in the plain-text and the HTML part, and the token nowhere but in the link', async () => {
    // An address the email rules accept with characters that mean something in HTML and in URLs.
    const email = "o'neil&co+reset@example.com";
    await start();
    await register(email);
    expectSent(await requestReset(email), email);
    const [message] = smtp.messages as [ReceivedMessage];
    const link = linkIn(message.text);
    const token = tokenOf(link);
    expect(new URL(link).searchParams.get('email')).to.equal(email);
    expect(link, 'strictly encoded').to.contain('o%27neil%26co%2Breset%40example.com');

    expect(message.html).to.contain(`href="${escapeHtml(link)}"`);
    expect(message.html).to.contain(escapeHtml(email));
    expect(message.html, 'inserted text is HTML-escaped').not.to.contain("o'neil&co");
    expect(message.text).to.contain(email);
    expect(message.text.split(link).join(''), 'the text outside the link').not.to.contain(token);
    expect(message.html.split(escapeHtml(link)).join(''), 'the HTML outside the link').not.to.contain(token);
    expect(message.headerLines.join('\n'), 'the headers').not.to.contain(token);
    expect(message.subject).not.to.contain(token);
    expectNoSecrets([token]);
  });

  it('answers an unknown email with the same 200 body, and mails that address a notice without a link', async () => {
    await start();
    await register();
    const known = await requestReset(EMAIL);
    const unknown = await requestReset(UNKNOWN);
    expectSent(known);
    expectSent(unknown, UNKNOWN);
    expect(Object.keys(unknown.body as object)).to.deep.equal(Object.keys(known.body as object));
    expect(smtp.messages.map((message) => message.envelope.to)).to.deep.equal([[EMAIL], [UNKNOWN]]);
    const notice = smtp.messages[1] as ReceivedMessage;
    expect(notice.subject).to.equal('Password reset request on Account service');
    expect(notice.text).to.contain(`${UNKNOWN}, but no Account service account uses this address`);
    expect(`${notice.text}${notice.html}`).not.to.match(/https?:/);
    expect(await storedUser(UNKNOWN)).to.equal(null);
  });

  it('does the same work for an unknown email: one SMTP connection and one message each, in comparable time', async () => {
    await start({ RATE_LIMIT: 'off' });
    await register();
    const timed = async (email: string) => {
      const started = process.hrtime.bigint();
      expectSent(await requestReset(email), email);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      known.push(await timed(EMAIL));
      unknown.push(await timed(UNKNOWN));
    }
    expect(smtp.connections).to.equal(18);
    expect(smtp.messages.map((message) => message.envelope.to[0])).to.deep.equal(Array.from({ length: 9 }, () => [EMAIL, UNKNOWN]).flat());
    // Coarse on purpose (a shared 2-core machine): skipping the send for unknown emails would be ten times faster.
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[4] ?? 0;
    const [knownMs, unknownMs] = [median(known), median(unknown)];
    expect(
      Math.max(knownMs, unknownMs) / Math.min(knownMs, unknownMs),
      `medians ${knownMs.toFixed(1)} and ${unknownMs.toFixed(1)} ms`,
    ).to.be.below(3);
  });

  it('answers 503 with Retry-After when the mail server is down, clearing the token it issued; the old password still works', async () => {
    const port = await closedPort();
    await start({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    await register();
    const before = generated.length;
    expectUnavailable(await requestReset());
    const token = generated.slice(before).at(-1) ?? '';
    expect((await storedUser())?.resetTokenHash).to.equal(null);
    const put = await api.put('/reset_password', { form: { email: EMAIL, reset_token: token, new_password: NEW_PASSWORD } });
    expect({ status: put.status, body: put.body }).to.deep.equal({
      status: 403,
      body: { code: 'invalid_reset_token', message: 'invalid or expired reset token' },
    });
    expect(await logIn(PASSWORD)).to.equal(200);

    // The same answer for an email with no account.
    expectUnavailable(await requestReset(UNKNOWN));

    // One warning per failure, naming the delivery and its cause, with no secret in it.
    const warnings = log.lines().filter((line) => line.msg === 'reset token delivery unavailable');
    expect(warnings).to.have.length(2);
    expect(JSON.stringify(warnings[0])).to.contain('ECONNREFUSED');
    expectNoSecrets([token]);

    // The mail server comes back on the same address: the next request gets through and works.
    const back = await SmtpTestServer.start({ port });
    try {
      expectSent(await requestReset());
      const link = linkIn((back.messages[0] as ReceivedMessage).text);
      const reset = await api.put('/reset_password', { form: { email: EMAIL, reset_token: tokenOf(link), new_password: NEW_PASSWORD } });
      expect(reset.status).to.equal(200);
    } finally {
      await back.stop();
    }
  });

  it('answers 503 when the mail server refuses the message, and the token is cleared', async () => {
    await start();
    await register();
    smtp.refusal = { code: 451, message: 'try again later' };
    const before = generated.length;
    expectUnavailable(await requestReset());
    expectUnavailable(await requestReset(UNKNOWN));
    expect(smtp.messages).to.deep.equal([]);
    expect((await storedUser())?.resetTokenHash).to.equal(null);
    const put = await api.put('/reset_password', {
      form: { email: EMAIL, reset_token: generated.slice(before)[0] ?? '', new_password: NEW_PASSWORD },
    });
    expect(put.status).to.equal(403);
  });

  it('answers 503 within SMTP_TIMEOUT when the mail server never answers', async function () {
    this.timeout(15_000);
    const silent = await silentServer();
    try {
      await start({ SMTP_URL: `smtp://127.0.0.1:${silent.port}`, SMTP_TIMEOUT: '1s' });
      await register();
      const started = Date.now();
      expectUnavailable(await requestReset());
      expect(Date.now() - started).to.be.within(900, 3000);
      expect((await storedUser())?.resetTokenHash).to.equal(null);
    } finally {
      await silent.close();
    }
  });

  it('keeps the one-token rules: a newer request supersedes the mailed token, which is single use', async () => {
    await start();
    await register();
    expectSent(await requestReset());
    expectSent(await requestReset());
    const [older, newer] = smtp.messages.map((message) => tokenOf(linkIn(message.text)));
    const put = (token: string | undefined, newPassword = NEW_PASSWORD) =>
      api.put('/reset_password', { form: { email: EMAIL, reset_token: token ?? '', new_password: newPassword } });
    expect((await put(older)).status).to.equal(403);
    expect((await put(newer)).status).to.equal(200);
    // Spent: it sets no other password; repeating the very same reset (a lost answer) is a 200 that changes nothing.
    expect((await put(newer, 'yet another password')).status).to.equal(403);
    expect((await put(newer)).status).to.equal(200);
  });
});
