import { expect } from 'chai';
import { MAIL_LOCALES } from '../../../src/adapters/notification/mail-templates.js';
import { SmtpNotifier, smtpTransportOptions, type SmtpNotifierOptions } from '../../../src/adapters/notification/smtp-notifier.js';
import { DeliveryUnavailableError } from '../../../src/domain/errors.js';
import type { Message } from '../../../src/domain/ports/notifier.js';
import { rejection } from '../../support/rejection.js';
import { closedPort, type ReceivedMessage, SmtpTestServer } from '../../support/smtp-test-server.js';
import { escapeHtml, everyMessage, expectedLink, label, LINKS, TOKEN } from './messages.js';

const MINUTE = 60_000;

/** Waits until `condition` holds, checking every few milliseconds, or fails after `withinMs`. */
async function eventually(condition: () => boolean, withinMs = 5000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SMTP notifier', () => {
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

  describe('sending', () => {
    let smtp: SmtpTestServer;
    const notifiers: SmtpNotifier[] = [];
    let failures: Array<{ kind: Message['kind']; error: unknown }>;

    beforeEach(async () => {
      smtp = await SmtpTestServer.start();
      failures = [];
    });

    afterEach(async () => {
      await Promise.all(notifiers.splice(0).map((notifier) => notifier.close()));
      await smtp.stop();
    });

    const notifier = (overrides: Partial<SmtpNotifierOptions> = {}) => {
      const made = new SmtpNotifier({
        smtpUrl: smtp.url(),
        from: 'Example Accounts <no-reply@example.com>',
        timeoutMs: 2000,
        ...LINKS,
        serviceName: 'Example Accounts',
        defaultLocale: 'en',
        onBackgroundFailure: (kind, error) => failures.push({ kind, error }),
        ...overrides,
      });
      notifiers.push(made);
      return made;
    };
    const unreachable = async () => notifier({ smtpUrl: `smtp://127.0.0.1:${await closedPort()}` });

    it('is the email channel', () => {
      expect(notifier().channel).to.equal('email');
    });

    for (const locale of MAIL_LOCALES) {
      it(`delivers every kind of message in ${locale}: subject, text and HTML, the link only where it belongs`, async () => {
        const mailer = notifier({ defaultLocale: locale === 'en' ? 'fr' : 'en' });
        const email = "o'neil+test@example.com";
        const messages = everyMessage(email, ['de', `${locale}-XX`], new Date(Date.now() + 30 * MINUTE));
        for (const message of messages) await mailer.send(message);
        expect(smtp.messages).to.have.length(messages.length);
        const subjects = new Set<string>();
        messages.forEach((message, index) => {
          const received = smtp.messages[index]!;
          const what = `${label(message)} (${locale})`;
          expect(received.envelope, what).to.deep.equal({ from: 'no-reply@example.com', to: [email] });
          expect(received.from, what).to.equal('"Example Accounts" <no-reply@example.com>');
          expect(received.headerLines, what).to.include('Auto-Submitted: auto-generated');
          expect(received.subject, what).to.match(/\S/).and.to.contain('Example Accounts');
          expect(received.text, what).to.contain('Example Accounts').and.to.contain(email);
          expect(received.html, what).to.contain(`<html lang="${locale}">`).and.to.contain(escapeHtml(email));
          subjects.add(received.subject);
          const link = expectedLink(message);
          if (link === undefined) {
            expect(received.raw, what).not.to.contain(TOKEN);
            expect(received.text + received.html, what).not.to.match(/https?:\/\/app/);
          } else {
            expect(received.text, what).to.contain(link);
            expect(received.html, what).to.contain(`href="${escapeHtml(link)}"`);
            expect(link, what).to.contain(TOKEN).and.to.contain('o%27neil%2Btest%40example.com');
            tokenOnlyInLink(received, link, what);
          }
        });
        expect(subjects.size, 'one subject per kind').to.equal(messages.length);
      });
    }

    it('writes the subjects in the recipient’s language', async () => {
      const mailer = notifier();
      const [reset] = everyMessage('a@example.com', [], new Date(Date.now() + 30 * MINUTE));
      await mailer.send({ ...reset!, languages: ['de', 'fr-CA'] });
      await mailer.send({ ...reset!, languages: [] });
      await mailer.send({ ...reset!, languages: ['EN-gb'] });
      await notifier({ defaultLocale: 'fr' }).send({ ...reset!, languages: ['*'] });
      expect(smtp.messages.map((message) => message.subject)).to.deep.equal([
        'Réinitialisez votre mot de passe Example Accounts',
        'Reset your Example Accounts password',
        'Reset your Example Accounts password',
        'Réinitialisez votre mot de passe Example Accounts',
      ]);
    });

    it('HTML-escapes the address and a link with `&`, and leaves the text as it is', async () => {
      const email = "o'neil&co@example.com";
      await notifier({ resetUrl: 'https://app.example.com/reset?token={token}&email={email}' }).send({
        to: email,
        languages: ['en'],
        kind: 'password-reset',
        token: TOKEN,
        expiresAt: new Date(Date.now() + 30 * MINUTE),
      });
      const [received] = smtp.messages;
      const link = `https://app.example.com/reset?token=${TOKEN}&email=o%27neil%26co%40example.com`;
      expect(received!.html)
        .to.contain(`href="${link.replace('&', '&amp;')}"`)
        .and.to.contain('o&#39;neil&amp;co@example.com');
      expect(received!.html).not.to.contain("o'neil&co");
      expect(received!.text).to.contain(link).and.to.contain(email);
    });

    it('sends one message per call, one connection each, and writes nothing to stdout or stderr', async () => {
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
        const mailer = notifier();
        await mailer.send({ to: 'a@example.com', languages: [], kind: 'password-reset', token: TOKEN, expiresAt: new Date() });
        await mailer.send({ to: 'b@example.com', languages: [], kind: 'reset-without-account' });
        mailer.notify({ to: 'c@example.com', languages: [], kind: 'password-changed' });
        await mailer.close();
      } finally {
        process.stdout.write = stdout;
        process.stderr.write = stderr;
      }
      expect(written).to.deep.equal([]);
      expect(smtp.messages.map((message) => message.envelope.to)).to.deep.equal([['a@example.com'], ['b@example.com'], ['c@example.com']]);
      expect(smtp.connections).to.equal(3);
    });

    describe('in the background', () => {
      it('returns at once, sends on a later turn, and delivers eventually', async () => {
        const mailer = notifier();
        mailer.notify({ to: 'a@example.com', languages: ['fr'], kind: 'email-changed', newEmail: 'b@example.com' });
        await Promise.resolve();
        expect(smtp.connections, 'nothing done in the caller’s turn').to.equal(0);
        await eventually(() => smtp.messages.length === 1);
        expect(smtp.messages[0]!.text).to.contain('b@example.com');
        expect(failures).to.deep.equal([]);
      });

      it('reports a failure with the kind and a DeliveryUnavailableError, and never throws or rejects', async () => {
        const mailer = await unreachable();
        expect(() => mailer.notify({ to: 'a@example.com', languages: [], kind: 'account-deleted' })).not.to.throw();
        expect(() => mailer.notify({ to: 'a@example.com', languages: [], kind: 'password-reset' })).not.to.throw();
        await mailer.close();
        expect(failures.map((failure) => failure.kind)).to.have.members(['account-deleted', 'password-reset']);
        for (const { error } of failures) {
          expect(error).to.be.instanceOf(DeliveryUnavailableError);
          expect(String(((error as Error).cause as Error).message)).to.contain('ECONNREFUSED');
        }
      });

      it('survives a failure report that throws', async () => {
        const reported: string[] = [];
        const throwing = notifier({
          smtpUrl: `smtp://127.0.0.1:${await closedPort()}`,
          onBackgroundFailure: (kind) => {
            reported.push(kind);
            throw new Error('the logger broke');
          },
        });
        throwing.notify({ to: 'a@example.com', languages: [], kind: 'password-changed' });
        await throwing.close();
        expect(reported).to.deep.equal(['password-changed']);
      });

      it('close() waits for the sends still pending, including those started while it waits', async () => {
        const mailer = notifier();
        for (const to of ['a@example.com', 'b@example.com', 'c@example.com'])
          mailer.notify({ to, languages: [], kind: 'sign-up-attempted' });
        const closed = mailer.close();
        mailer.notify({ to: 'd@example.com', languages: [], kind: 'sign-up-attempted' });
        await closed;
        expect(smtp.messages.map((message) => message.envelope.to[0])).to.have.members([
          'a@example.com',
          'b@example.com',
          'c@example.com',
          'd@example.com',
        ]);
      });
    });

    describe('failures', () => {
      it('turns a server that is down into DeliveryUnavailableError, with the transport’s error as cause', async () => {
        const error = await rejection((await unreachable()).send({ to: 'a@example.com', languages: [], kind: 'reset-without-account' }));
        expect(error).to.be.instanceOf(DeliveryUnavailableError);
        expect(String((error.cause as Error).message)).to.contain('ECONNREFUSED');
        expect(failures).to.deep.equal([]);
      });

      it('turns a server that refuses the message into DeliveryUnavailableError', async () => {
        smtp.refusal = { code: 451, message: 'try again later' };
        const message: Message = { to: 'a@example.com', languages: [], kind: 'email-verification', token: TOKEN, expiresAt: new Date() };
        const error = await rejection(notifier().send(message));
        expect(error).to.be.instanceOf(DeliveryUnavailableError);
        expect(error.cause).to.include({ responseCode: 451 });
        expect(error.message).not.to.contain(TOKEN);
        expect(smtp.messages).to.deep.equal([]);
      });

      it('never sends credentials over a connection without TLS', async () => {
        const error = await rejection(
          notifier({ smtpUrl: smtp.url({ user: 'mailer', pass: 's3cret-smtp-pass' }) }).send({
            to: 'a@example.com',
            languages: [],
            kind: 'password-reset',
            token: TOKEN,
            expiresAt: new Date(),
          }),
        );
        expect(error).to.be.instanceOf(DeliveryUnavailableError);
        expect(smtp.authAttempts).to.deep.equal([]);
        expect(smtp.messages).to.deep.equal([]);
      });
    });
  });
});

/** The token is in the link and nowhere else: not in the subject, the headers, or the rest of either part. */
function tokenOnlyInLink(received: ReceivedMessage, link: string, what: string): void {
  expect(received.subject, what).not.to.contain(TOKEN);
  expect(received.headerLines.join('\n'), what).not.to.contain(TOKEN);
  expect(received.text.split(link).join(''), what).not.to.contain(TOKEN);
  expect(received.html.split(escapeHtml(link)).join(''), what).not.to.contain(TOKEN);
}
