import { expect } from 'chai';
import { escapeHtml, noAccountMessage, resetLink, resetMessage } from '../../../src/adapters/notification/reset-email.js';
import { SmtpResetTokenNotifier, smtpTransportOptions } from '../../../src/adapters/notification/smtp-reset-token-notifier.js';
import { DeliveryUnavailableError } from '../../../src/domain/errors.js';
import { rejection } from '../../support/rejection.js';
import { closedPort, SmtpTestServer } from '../../support/smtp-test-server.js';

const TOKEN = 'kq2Hn1cM3yG0cXyqH3Jd7Q0o1yB5x0Zt1Vq2sCq9b4E';

describe('SMTP reset token notifier', () => {
  describe('transport options from SMTP_URL', () => {
    it('reads host and port, defaulting to 587 for smtp:// and 465 for smtps://', () => {
      expect(smtpTransportOptions('smtp://mail.example.com', 5000)).to.include({
        host: 'mail.example.com',
        port: 587,
        secure: false,
        requireTLS: false,
      });
      expect(smtpTransportOptions('smtps://mail.example.com', 5000)).to.include({ host: 'mail.example.com', port: 465, secure: true });
      expect(smtpTransportOptions('smtp://[::1]:2525', 5000)).to.include({ host: '::1', port: 2525 });
      expect(smtpTransportOptions('smtp://mail.example.com', 5000).auth).to.equal(undefined);
    });

    it('decodes the credentials, and requires STARTTLS before sending them over smtp://', () => {
      const plain = smtpTransportOptions('smtp://us%40er:p%3As%2Fs@mail.example.com:25', 5000);
      expect(plain).to.include({ port: 25, secure: false, requireTLS: true });
      expect(plain.auth).to.deep.equal({ user: 'us@er', pass: 'p:s/s' });
      expect(smtpTransportOptions('smtps://user:pass@mail.example.com', 5000)).to.include({ secure: true, requireTLS: false });
    });

    it('applies the timeout to every step, and keeps nodemailer’s logger and debug output off', () => {
      expect(smtpTransportOptions('smtp://mail.example.com', 1500)).to.include({
        connectionTimeout: 1500,
        greetingTimeout: 1500,
        socketTimeout: 1500,
        dnsTimeout: 1500,
        logger: false,
        debug: false,
        transactionLog: false,
      });
    });
  });

  describe('messages', () => {
    it('puts the token and the email into the link URL-encoded, wherever the placeholders are', () => {
      expect(resetLink('https://app.example.com/r/{token}?e={email}&again={token}', 'a/b+c', "o'n(e)il@example.com")).to.equal(
        'https://app.example.com/r/a%2Fb%2Bc?e=o%27n%28e%29il%40example.com&again=a%2Fb%2Bc',
      );
      expect(resetLink('https://app.example.com/reset#token={token}', TOKEN, 'a@example.com')).to.equal(
        `https://app.example.com/reset#token=${TOKEN}`,
      );
    });

    it('HTML-escapes what it inserts', () => {
      expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).to.equal('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
      const email = "o'neil&co@example.com";
      const { html } = resetMessage({ email, link: 'https://app.example.com/?a=1&b=2', expiresAt: new Date(0) });
      expect(html).to.contain('href="https://app.example.com/?a=1&amp;b=2"').and.to.contain('o&#39;neil&amp;co@example.com');
      expect(noAccountMessage(email).html).to.contain('o&#39;neil&amp;co@example.com').and.not.to.contain("o'neil&co");
    });

    it('says until when the link works, as an absolute time, and carries the token only in the link', () => {
      const link = resetLink('https://app.example.com/reset#token={token}', TOKEN, 'a@example.com');
      const message = resetMessage({ email: 'a@example.com', link, expiresAt: new Date('2030-01-02T03:04:05Z') });
      expect(message.text).to.contain('until Wed, 02 Jan 2030 03:04:05 GMT');
      expect(message.text.split(link).join('')).not.to.contain(TOKEN);
      expect(message.html.split(escapeHtml(link)).join('')).not.to.contain(TOKEN);
      expect(message.subject).not.to.contain(TOKEN);
    });
  });

  describe('sending', () => {
    let smtp: SmtpTestServer;

    beforeEach(async () => {
      smtp = await SmtpTestServer.start();
    });

    afterEach(async () => {
      await smtp.stop();
    });

    const notifier = (smtpUrl: string) =>
      new SmtpResetTokenNotifier({
        smtpUrl,
        from: 'noreply@example.com',
        resetUrl: 'https://app.example.com/reset#token={token}',
        timeoutMs: 2000,
      });

    it('sends one message per notification, one connection each, and writes nothing to stdout or stderr', async () => {
      const written: string[] = [];
      const stdout = process.stdout.write.bind(process.stdout);
      const stderr = process.stderr.write.bind(process.stderr);
      const capture = (chunk: unknown) => {
        written.push(String(chunk));
        return true;
      };
      process.stdout.write = capture;
      process.stderr.write = capture;
      try {
        const mailer = notifier(smtp.url());
        expect(await mailer.notify({ email: 'a@example.com', token: TOKEN, expiresAt: new Date() })).to.deep.equal({
          channel: 'out-of-band',
        });
        await mailer.notifyNoAccount('b@example.com');
        mailer.close();
      } finally {
        process.stdout.write = stdout;
        process.stderr.write = stderr;
      }
      expect(written).to.deep.equal([]);
      expect(smtp.messages.map((message) => message.envelope.to)).to.deep.equal([['a@example.com'], ['b@example.com']]);
      expect(smtp.connections).to.equal(2);
    });

    it('turns a server that is down into DeliveryUnavailableError, with the transport’s error as cause', async () => {
      const error = await rejection(notifier(`smtp://127.0.0.1:${await closedPort()}`).notifyNoAccount('a@example.com'));
      expect(error).to.be.instanceOf(DeliveryUnavailableError);
      expect(String((error.cause as Error).message)).to.contain('ECONNREFUSED');
    });

    it('never sends credentials over a connection without TLS', async () => {
      const url = smtp.url({ user: 'mailer', pass: 's3cret-smtp-pass' });
      const error = await rejection(notifier(url).notify({ email: 'a@example.com', token: TOKEN, expiresAt: new Date() }));
      expect(error).to.be.instanceOf(DeliveryUnavailableError);
      expect(smtp.authAttempts).to.deep.equal([]);
      expect(smtp.messages).to.deep.equal([]);
    });
  });
});
