import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Message, NoticeMessage, TokenMessage } from '../../domain/ports/notifier.js';

/**
 * The messages' wording, from the template files in ./templates/ (see the README there): every kind of
 * message in every locale, as plain text and HTML. Pure rendering: no transport here.
 */

export const MAIL_LOCALES = ['en', 'fr'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

/**
 * The first of the recipient's languages (most preferred first) that there are templates for, matched
 * on the primary subtag whatever its case (`fr-CA` and `FR` are `fr`); `*` and unknown ones are skipped.
 */
export function pickLocale(languages: readonly string[], fallback: MailLocale): MailLocale {
  for (const language of languages) {
    const primary = language.trim().split('-')[0]?.toLowerCase();
    const locale = MAIL_LOCALES.find((candidate) => candidate === primary);
    if (locale !== undefined) return locale;
  }
  return fallback;
}

/**
 * One template per message kind, named after it, except that the notice sent once a reset is done
 * shares its kind with the message carrying the reset link (`password-reset`, told apart by the token).
 * A Record, so that a kind added to the port without a template here does not compile.
 */
type TemplateName = TokenMessage['kind'] | Exclude<NoticeMessage['kind'], 'password-reset'> | 'password-reset-completed';

const TEMPLATE_NAMES = Object.keys({
  'password-reset': null,
  'email-verification': null,
  'email-change': null,
  'reset-without-account': null,
  'verification-without-account': null,
  'sign-up-attempted': null,
  'email-change-attempted': null,
  'password-changed': null,
  'password-reset-completed': null,
  'account-deleted': null,
  'email-changed': null,
} satisfies Record<TemplateName, null>) as TemplateName[];

function templateName(message: Message): TemplateName {
  if ('token' in message) return message.kind;
  return message.kind === 'password-reset' ? 'password-reset-completed' : message.kind;
}

/** Where the templates are: next to this module, in src/ under tsx and in dist/ once built (the build copies them). */
const TEMPLATES_DIRECTORY = new URL('./templates/', import.meta.url);

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface RenderContext {
  /** The service's name, which every message mentions. */
  readonly serviceName: string;
  /** The locale used when none of the recipient's languages is available. */
  readonly defaultLocale: MailLocale;
  /** Link templates: absolute http(s) URLs with `{token}` and optionally `{email}` (URL-encoded when filled in). */
  readonly resetUrl: string;
  readonly verifyUrl: string;
  /** The time of rendering: how long a link still works is counted from it, and a notice says it is when the change happened. */
  readonly now: Date;
}

/** One locale's compiled templates: an engine that escapes for the HTML parts, one that does not for the text. */
interface LocaleTemplates {
  readonly html: Eta;
  readonly text: Eta;
}

/**
 * Every template, read and compiled once, when made: a missing or malformed one fails then, naming
 * the file, not when some rare message is first sent. Templates are registered under `@` names, so
 * they are never looked up on disk afterwards; an HTML template uses its locale's layout with
 * `<% layout('@layout') -%>`, and a text template's subject line is compiled apart from its body.
 */
export class MailTemplates {
  private readonly locales: ReadonlyMap<MailLocale, LocaleTemplates>;

  constructor(directory: URL = TEMPLATES_DIRECTORY) {
    this.locales = new Map(MAIL_LOCALES.map((locale) => [locale, loadLocale(new URL(`${locale}/`, directory))]));
  }

  /** The message in the recipient's language: the subject from the text template's first line, the text and the HTML. */
  renderMessage(message: Message, context: RenderContext): RenderedMail {
    const locale = pickLocale(message.languages, context.defaultLocale);
    const templates = this.locales.get(locale);
    if (templates === undefined) throw new Error(`no templates for locale ${locale}`);
    const name = templateName(message);
    const data = { ...variables(message, locale, context), serviceName: context.serviceName };
    // One line, whatever a value holds: a line break in the service's name cannot split the header.
    const subject = templates.text.render(`@${name}:subject`, data).replace(/\s+/g, ' ').trim();
    return { subject, text: templates.text.render(`@${name}`, data), html: templates.html.render(`@${name}`, { ...data, subject }) };
  }
}

function loadLocale(directory: URL): LocaleTemplates {
  // Whitespace is kept as written (autoTrim off): in plain text, line breaks are the layout.
  const html = new Eta({ autoEscape: true, autoTrim: false });
  const text = new Eta({ autoEscape: false, autoTrim: false });
  html.loadTemplate('@layout', readTemplate(new URL('layout.html', directory)));
  for (const name of TEMPLATE_NAMES) {
    html.loadTemplate(`@${name}`, readTemplate(new URL(`${name}.html`, directory)));
    const file = new URL(`${name}.txt`, directory);
    // The subject line and the body after the blank line are two templates.
    const parts = /^Subject: ([^\n]*\S[^\n]*)\n\n/.exec(readTemplate(file));
    if (parts === null) throw new Error(`mail template ${fileURLToPath(file)} must start with "Subject: …" and a blank line`);
    text.loadTemplate(`@${name}:subject`, parts[1] ?? '');
    text.loadTemplate(`@${name}`, parts.input.slice(parts[0].length));
  }
  return { html, text };
}

function readTemplate(file: URL): string {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`mail template ${fileURLToPath(file)} cannot be read`, { cause: error });
  }
  // Line endings as a checkout on Windows may have them: the subject line ends at \n.
  return source.replace(/\r\n?/g, '\n');
}

/** The variables a template may use, besides serviceName (see the templates' README). */
function variables(message: Message, locale: MailLocale, context: RenderContext): Record<string, string> {
  const common = { email: message.to, when: formatDate(context.now, locale) };
  if ('token' in message) {
    const template = message.kind === 'password-reset' ? context.resetUrl : context.verifyUrl;
    return {
      ...common,
      link: fillLink(template, message.token, message.to),
      expiresIn: formatDuration(message.expiresAt.getTime() - context.now.getTime(), locale),
      expiresAt: formatDate(message.expiresAt, locale),
    };
  }
  if (message.kind === 'email-changed') return { ...common, newEmail: message.newEmail };
  return common;
}

/**
 * The link: the template with `{token}` (and `{email}`, if present) replaced by the URL-encoded
 * values. The template is checked at start-up (an absolute http(s) URL containing `{token}`).
 */
export function fillLink(template: string, token: string, email: string): string {
  return template.replaceAll('{token}', encodeUriStrictly(token)).replaceAll('{email}', encodeUriStrictly(email));
}

/**
 * encodeURIComponent, plus the characters it leaves alone that RFC 3986 reserves (! ' ( ) *): mail
 * clients that turn a plain-text address into a link often end it at a quote or a parenthesis.
 */
function encodeUriStrictly(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

const MINUTE = 60_000;
const DURATION_UNITS = [
  { unit: 'day', minutes: 24 * 60 },
  { unit: 'hour', minutes: 60 },
  { unit: 'minute', minutes: 1 },
] as const;

/**
 * How long a link still works, in words ("30 minutes", "1 heure", "2 days"): rounded to the minute
 * first (the milliseconds since the token was issued do not make 30 minutes "29 minutes"), then in the
 * largest unit that fits at least once, rounded down, so the words never promise more time than there is.
 * The absolute time (expiresAt) says it exactly.
 */
export function formatDuration(milliseconds: number, locale: MailLocale): string {
  const minutes = Math.max(1, Math.round(milliseconds / MINUTE));
  const { unit, minutes: size } = DURATION_UNITS.find((candidate) => minutes >= candidate.minutes) ?? DURATION_UNITS[2];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(Math.floor(minutes / size));
}

/** An absolute time, in UTC and said so, which stays true however late and wherever the message is read. */
export function formatDate(date: Date, locale: MailLocale): string {
  return `${new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`;
}
