import type { Message, Notifier, TokenMessage } from '../../src/domain/ports/notifier.js';

/**
 * A notifier that keeps what it was asked to send (awaited) and to notify (in the background), on the
 * channel given; `send` fails with `failure` when set, after running `meanwhile` (what happens elsewhere
 * while the mail server is slow).
 */
export class RecordingNotifier implements Notifier {
  readonly sent: Message[] = [];
  readonly notified: Message[] = [];
  meanwhile: (() => Promise<void>) | undefined;
  failure: Error | undefined;

  constructor(readonly channel: Notifier['channel'] = 'email') {}

  async send(message: Message): Promise<void> {
    this.sent.push(message);
    await this.meanwhile?.();
    if (this.failure !== undefined) throw this.failure;
  }

  notify(message: Message): void {
    this.notified.push(message);
  }

  /** Every message sent or notified, as `kind to`: what went where, in order within each list. */
  get log(): { readonly sent: string[]; readonly notified: string[] } {
    const line = (message: Message) => `${message.kind} ${message.to}`;
    return { sent: this.sent.map(line), notified: this.notified.map(line) };
  }

  /** The token of the last message of this kind to `to`, sent or notified; throws when there is none. */
  tokenFor(kind: TokenMessage['kind'], to: string): string {
    const messages = [...this.sent, ...this.notified].filter(
      (message): message is TokenMessage => message.kind === kind && 'token' in message && message.to === to,
    );
    const last = messages.at(-1);
    if (last === undefined) throw new Error(`no ${kind} message to ${to}`);
    return last.token;
  }
}
