import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import {
  fillLink,
  formatDate,
  formatDuration,
  MAIL_LOCALES,
  MailTemplates,
  pickLocale,
  type RenderContext,
} from '../../../src/adapters/notification/mail-templates.js';
import type { Message } from '../../../src/domain/ports/notifier.js';
import { escapeHtml, everyMessage, expectedLink, label, LINKS, TOKEN } from './messages.js';

const NOW = new Date('2030-01-02T15:04:05Z');
const MINUTE = 60_000;
/** ICU puts no-break spaces (narrow or not) in numbers with units and in times: compared as spaces. */
const spaced = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
const context: RenderContext = { ...LINKS, serviceName: 'Example Accounts', defaultLocale: 'en', now: NOW };

describe('mail templates', () => {
  const templates = new MailTemplates();
  const render = (message: Message, overrides: Partial<RenderContext> = {}) =>
    templates.renderMessage(message, { ...context, ...overrides });

  describe('picking the locale', () => {
    it('takes the first language there are templates for, by its primary subtag, whatever its case', () => {
      expect(pickLocale(['de', 'fr-CA'], 'en')).to.equal('fr');
      expect(pickLocale(['EN-gb', 'fr'], 'fr')).to.equal('en');
      expect(pickLocale(['FR'], 'en')).to.equal('fr');
    });

    it('falls back to the default when none is available, ignoring `*`', () => {
      expect(pickLocale([], 'en')).to.equal('en');
      expect(pickLocale([], 'fr')).to.equal('fr');
      expect(pickLocale(['*', 'de-DE', 'e', 'english'], 'fr')).to.equal('fr');
    });

    it('renders in the picked locale', () => {
      const [message] = everyMessage('a@example.com', ['de', 'fr-CA'], new Date(NOW.getTime() + 30 * MINUTE));
      expect(render(message!).html).to.contain('<html lang="fr">');
      expect(render({ ...message!, languages: [] }, { defaultLocale: 'fr' }).html).to.contain('<html lang="fr">');
      expect(render({ ...message!, languages: ['EN-gb'] }, { defaultLocale: 'fr' }).html).to.contain('<html lang="en">');
    });
  });

  describe('how long a link works, in words', () => {
    const cases = [
      { ms: 30 * MINUTE, en: '30 minutes', fr: '30 minutes' },
      { ms: 60 * MINUTE, en: '1 hour', fr: '1 heure' },
      { ms: 2 * 24 * 60 * MINUTE, en: '2 days', fr: '2 jours' },
    ];
    for (const { ms, en, fr } of cases) {
      it(`says ${en} / ${fr}, in the message too`, () => {
        expect(spaced(formatDuration(ms, 'en'))).to.equal(en);
        expect(spaced(formatDuration(ms, 'fr'))).to.equal(fr);
        const [message] = everyMessage('a@example.com', ['en'], new Date(NOW.getTime() + ms));
        expect(spaced(render(message!).text)).to.contain(`for ${en} (until`);
        expect(spaced(render({ ...message!, languages: ['fr'] }).text)).to.contain(`valable ${fr} (jusqu`);
      });
    }

    it('counts from the time of rendering, rounded to the minute, then down to the largest whole unit', () => {
      // Rendered a moment after the token was issued: still "30 minutes", not 29.
      expect(spaced(formatDuration(30 * MINUTE - 250, 'en'))).to.equal('30 minutes');
      expect(spaced(formatDuration(90 * MINUTE, 'en'))).to.equal('1 hour');
      expect(spaced(formatDuration(36 * 60 * MINUTE, 'fr'))).to.equal('1 jour');
      expect(spaced(formatDuration(59 * MINUTE, 'en'))).to.equal('59 minutes');
      expect(spaced(formatDuration(0, 'en'))).to.equal('1 minute');
    });

    it('gives the absolute time in UTC, localised', () => {
      expect(spaced(formatDate(NOW, 'en'))).to.match(/^January 2, 2030,? at 3:04 PM UTC$/);
      expect(spaced(formatDate(NOW, 'fr'))).to.equal('2 janvier 2030 à 15:04 UTC');
    });
  });

  describe('links', () => {
    it('puts the token and the email into the link URL-encoded, strictly, wherever the placeholders are', () => {
      expect(fillLink('https://app.example.com/r/{token}?e={email}&again={token}', 'a/b+c', "o'n(e)il*@example.com")).to.equal(
        'https://app.example.com/r/a%2Fb%2Bc?e=o%27n%28e%29il%2A%40example.com&again=a%2Fb%2Bc',
      );
      expect(fillLink('https://app.example.com/reset#token={token}', TOKEN, 'a@example.com')).to.equal(
        `https://app.example.com/reset#token=${TOKEN}`,
      );
    });

    it('uses the reset link for a reset, and the verification link for a verification or a change of address', () => {
      const [reset, verification, change] = everyMessage('a@example.com', [], new Date(NOW.getTime() + 30 * MINUTE));
      expect(render(reset!).text).to.contain(`https://app.example.com/reset-password#token=${TOKEN}&email=a%40example.com`);
      expect(render(verification!).text).to.contain(`https://app.example.com/verify?token=${TOKEN}&email=a%40example.com`);
      expect(render(change!).text).to.contain(`https://app.example.com/verify?token=${TOKEN}&email=a%40example.com`);
    });
  });

  describe('every kind, in every locale', () => {
    const email = "o'neil+test@example.com";
    const expiresAt = new Date(NOW.getTime() + 30 * MINUTE);
    for (const locale of MAIL_LOCALES) {
      for (const message of everyMessage(email, [locale], expiresAt)) {
        it(`${label(message)} (${locale}): subject, text and HTML, in the locale, mentioning the service`, () => {
          const mail = render(message);
          expect(mail.subject).to.match(/\S/).and.to.contain('Example Accounts');
          expect(mail.subject).not.to.contain('\n');
          expect(mail.text).to.contain('Example Accounts').and.to.contain(email);
          expect(mail.text).not.to.match(/^Subject:/);
          expect(mail.html)
            .to.match(/^<!doctype html>/i)
            .and.to.contain(`<html lang="${locale}">`)
            .and.to.contain('<meta charset="utf-8"');
          expect(mail.html)
            .to.contain(`<title>${escapeHtml(mail.subject)}</title>`)
            .and.to.contain(escapeHtml(email));
          // Nothing is left of the template syntax.
          expect(mail.text + mail.html).not.to.match(/<%|%>|undefined|\[object/);
          const other = render({ ...message, languages: MAIL_LOCALES.filter((candidate) => candidate !== locale) });
          expect(other.subject, 'the other locale’s subject').not.to.equal(mail.subject);
        });

        const link = expectedLink(message);
        if (link !== undefined) {
          it(`${label(message)} (${locale}): the link in the text and the href, the token nowhere else, and until when`, () => {
            const mail = render(message);
            expect(mail.text).to.contain(link);
            expect(mail.html).to.contain(`href="${escapeHtml(link)}"`);
            expect(mail.subject).not.to.contain(TOKEN);
            expect(mail.text.split(link).join('')).not.to.contain(TOKEN);
            expect(mail.html.split(escapeHtml(link)).join('')).not.to.contain(TOKEN);
            expect(spaced(mail.text)).to.contain('30 minutes');
            expect(mail.text).to.contain(formatDate(expiresAt, locale));
          });
        } else {
          it(`${label(message)} (${locale}): no link, and when it happened`, () => {
            const mail = render(message);
            expect(mail.text + mail.html).not.to.match(/https?:/);
            if (!/without-account$/.test(message.kind)) expect(mail.text).to.contain(formatDate(NOW, locale));
          });
        }
      }
    }

    it('tells the old address of a change what the new one is', () => {
      const changed = everyMessage('old@example.com', ['fr'], NOW).find((message) => message.kind === 'email-changed')!;
      expect(render(changed).text).to.contain('old@example.com').and.to.contain('new-address@example.org');
      expect(render({ ...changed, languages: ['en'] }).html).to.contain('new-address@example.org');
    });

    it('keeps the completed reset notice apart from the reset link', () => {
      const [link, , , , , , , , completed] = everyMessage('a@example.com', ['en'], new Date(NOW.getTime() + 30 * MINUTE));
      expect(completed!.kind).to.equal('password-reset');
      expect(render(completed!).subject).not.to.equal(render(link!).subject);
      expect(render(completed!).text).to.contain('reset your password now');
    });
  });

  describe('escaping', () => {
    it('HTML-escapes every value in the HTML, addresses and links included, and nothing in the text', () => {
      const email = "o'neil&co@example.com";
      const mail = render(
        { to: email, languages: ['en'], kind: 'password-reset', token: TOKEN, expiresAt: new Date(NOW.getTime() + 30 * MINUTE) },
        { resetUrl: 'https://app.example.com/?a=1&token={token}', serviceName: 'Q&A <Accounts>' },
      );
      expect(mail.html).to.contain(`href="https://app.example.com/?a=1&amp;token=${TOKEN}"`);
      expect(mail.html).to.contain('o&#39;neil&amp;co@example.com').and.to.contain('Q&amp;A &lt;Accounts&gt;');
      expect(mail.html).not.to.contain("o'neil&co");
      expect(mail.html).not.to.contain('<Accounts>');
      expect(mail.text).to.contain(email).and.to.contain(`https://app.example.com/?a=1&token=${TOKEN}`).and.to.contain('Q&A <Accounts>');
      expect(mail.subject).to.contain('Q&A <Accounts>');
    });

    it('keeps the subject on one line whatever a value holds', () => {
      const [message] = everyMessage('a@example.com', ['en'], new Date(NOW.getTime() + 30 * MINUTE));
      expect(render(message!, { serviceName: 'Evil\r\nBcc: x@example.com' }).subject).to.equal(
        'Reset your Evil Bcc: x@example.com password',
      );
    });
  });

  describe('loading', () => {
    let directory: string;

    beforeEach(() => {
      directory = mkdtempSync(path.join(tmpdir(), 'mail-templates-'));
      cpSync(new URL('../../../src/adapters/notification/templates/', import.meta.url), directory, { recursive: true });
    });

    afterEach(() => {
      rmSync(directory, { recursive: true, force: true });
    });

    const load = () => new MailTemplates(pathToFileURL(`${directory}${path.sep}`));

    it('loads a copy of the templates from another directory', () => {
      const [message] = everyMessage('a@example.com', ['fr'], new Date(NOW.getTime() + 30 * MINUTE));
      expect(load().renderMessage(message!, context).html).to.contain('<html lang="fr">');
    });

    for (const file of ['fr/account-deleted.html', 'en/email-changed.txt', 'fr/layout.html']) {
      it(`fails when made, naming the file, when ${file} is missing`, () => {
        rmSync(path.join(directory, file));
        expect(load).to.throw(path.join(...file.split('/')));
      });
    }

    it('fails when made when a text template does not start with its subject line and a blank line', () => {
      writeFileSync(path.join(directory, 'en', 'password-changed.txt'), 'Your password was changed.\n');
      expect(load).to.throw(`${path.join('en', 'password-changed.txt')} must start with "Subject: …"`);
      writeFileSync(path.join(directory, 'en', 'password-changed.txt'), 'Subject: Changed\nYour password was changed.\n');
      expect(load).to.throw(`${path.join('en', 'password-changed.txt')} must start with "Subject: …"`);
    });

    it('fails when made when a template does not compile', () => {
      writeFileSync(path.join(directory, 'fr', 'sign-up-attempted.html'), '<p><%= it.email </p>\n');
      expect(load).to.throw();
    });

    it('reads templates with Windows line endings', () => {
      writeFileSync(
        path.join(directory, 'en', 'password-changed.txt'),
        'Subject: Changed on <%= it.serviceName %>\r\n\r\nLine one.\r\nLine two.\r\n',
      );
      const mail = load().renderMessage({ to: 'a@example.com', languages: ['en'], kind: 'password-changed' }, context);
      expect(mail).to.include({ subject: 'Changed on Example Accounts', text: 'Line one.\nLine two.\n' });
    });
  });
});
