import { createTransport, type Transporter } from 'nodemailer';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import { DeliveryUnavailableError } from '../../domain/errors.js';
import type { ResetTokenDelivery, ResetTokenNotice, ResetTokenNotifier } from '../../domain/ports/reset-token-notifier.js';
import { noAccountMessage, resetLink, resetMessage, type EmailContent } from './reset-email.js';

export interface SmtpNotifierOptions {
  /** smtp:// or smtps://, with optional credentials; checked at start-up. */
  readonly smtpUrl: string;
  /** The From header: an address, or a display name and an address in angle brackets. */
  readonly from: string;
  /** The link template, with `{token}` and optionally `{email}`. */
  readonly resetUrl: string;
  /** The limit for each step of the SMTP conversation and for the whole of one send. */
  readonly timeoutMs: number;
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
 * Sends the reset link by email over SMTP, one connection per message. A request for an address with
 * no account sends a short notice instead, so both cost one SMTP send and fail alike. Any failure
 * (server down, refusing, too slow) is a DeliveryUnavailableError with the transport's error as cause.
 */
export class SmtpResetTokenNotifier implements ResetTokenNotifier {
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpNotifierOptions) {
    this.transport = createTransport(smtpTransportOptions(options.smtpUrl, options.timeoutMs));
  }

  async notify(notice: ResetTokenNotice): Promise<ResetTokenDelivery> {
    const link = resetLink(this.options.resetUrl, notice.token, notice.email);
    await this.send(notice.email, resetMessage({ email: notice.email, link, expiresAt: notice.expiresAt }));
    return { channel: 'out-of-band' };
  }

  async notifyNoAccount(email: string): Promise<void> {
    await this.send(email, noAccountMessage(email));
  }

  /** Lets go of the transport (there is no pool: nothing stays open between sends). */
  close(): void {
    this.transport.close();
  }

  private async send(to: string, content: EmailContent): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.options.from,
        // An address object, not a string to parse: the normalised email is used exactly as it is.
        to: { name: '', address: to },
        subject: content.subject,
        text: content.text,
        html: content.html,
        headers: { 'Auto-Submitted': 'auto-generated' },
        // The whole send, however slowly a server trickles its answers, stays within the limit.
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new DeliveryUnavailableError({ cause: error });
    }
  }
}
