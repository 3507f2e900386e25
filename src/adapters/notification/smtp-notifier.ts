import { createTransport, type Transporter } from 'nodemailer';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import { DeliveryUnavailableError } from '../../domain/errors.js';
import type { Message, Notifier } from '../../domain/ports/notifier.js';
import { MailTemplates, type MailLocale, type RenderedMail } from './mail-templates.js';

export interface SmtpNotifierOptions {
  /** smtp:// or smtps://, with optional credentials; checked at start-up. */
  readonly smtpUrl: string;
  /** The From header: an address, or a display name and an address in angle brackets. */
  readonly from: string;
  /** The limit for each step of the SMTP conversation and for the whole of one send. */
  readonly timeoutMs: number;
  /** Link templates: absolute http(s) URLs with `{token}` and optionally `{email}` (URL-encoded when filled in). */
  readonly resetUrl: string;
  readonly verifyUrl: string;
  /** The service's name, which every message mentions. */
  readonly serviceName: string;
  /** The locale used when none of the recipient's languages is available. */
  readonly defaultLocale: MailLocale;
  /** Called when a background message (notify) could not be sent; given the kind and the error, never the message. */
  readonly onBackgroundFailure: (kind: Message['kind'], error: unknown) => void;
}

/**
 * Nodemailer's options for an SMTP URL. The URL is taken apart here rather than handed to nodemailer,
 * which would read options from its query string (`?debug=true&logger=true` would log the whole SMTP
 * conversation, credentials included). Its own logger and debug output are always off.
 */
export function smtpTransportOptions(smtpUrl: string, timeoutMs: number): SMTPTransportOptions {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const withCredentials = user !== '' || pass !== '';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    // smtps:// is TLS from the first byte. smtp:// upgrades with STARTTLS when the server offers it,
    // and must when there are credentials: a password never crosses the network in the clear.
    secure,
    requireTLS: !secure && withCredentials,
    ...(withCredentials ? { auth: { user, pass } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    logger: false,
    debug: false,
    transactionLog: false,
  };
}

/**
 * Sends every kind of message by email over SMTP, one connection per message, in the recipient's
 * language, from the template files (see ./templates/README.md). Any transport failure (server down,
 * refusing, too slow) is a DeliveryUnavailableError with the transport's error as cause.
 */
export class SmtpNotifier implements Notifier {
  readonly channel = 'email';
  private readonly templates: MailTemplates;
  private readonly transport: Transporter;
  /** The background sends not yet settled, which close() waits for. */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: SmtpNotifierOptions) {
    // Every template is read and compiled now: one missing fails the start-up, not a later request.
    this.templates = new MailTemplates();
    this.transport = createTransport(smtpTransportOptions(options.smtpUrl, options.timeoutMs));
  }

  async send(message: Message): Promise<void> {
    await this.deliver(message);
  }

  notify(message: Message): void {
    const { kind } = message;
    // Rendering and sending start on a later turn of the event loop: the caller's answer goes first.
    const pending: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.deliver(message))
      .catch((error: unknown) => {
        try {
          this.options.onBackgroundFailure(kind, error);
        } catch {
          // Reporting the failure failed too: nothing is left to tell, and notify never throws, not even later.
        }
      })
      .finally(() => this.pending.delete(pending));
    this.pending.add(pending);
  }

  /** Waits for every background send to settle (sent or reported), then lets go of the transport. */
  async close(): Promise<void> {
    // A send may be started while waiting (a request finishing during shutdown): wait for it as well.
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    this.transport.close();
  }

  /** Renders and sends one message; a template error is a bug and propagates as it is. */
  private async deliver(message: Message): Promise<void> {
    const { resetUrl, verifyUrl, serviceName, defaultLocale } = this.options;
    const mail = this.templates.renderMessage(message, { resetUrl, verifyUrl, serviceName, defaultLocale, now: new Date() });
    await this.transmit(message.to, mail);
  }

  private async transmit(to: string, mail: RenderedMail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.options.from,
        // An address object, not a string to parse: the normalised email is used exactly as it is.
        to: { name: '', address: to },
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        // RFC 3834: a machine wrote this, so auto-responders and vacation replies stay quiet.
        headers: { 'Auto-Submitted': 'auto-generated' },
        // The whole send, however slowly a server trickles its answers, stays within the limit.
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new DeliveryUnavailableError({ cause: error });
    }
  }
}
