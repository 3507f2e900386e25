import type { Notifier } from '../../domain/ports/notifier.js';

/**
 * The seed service's behaviour (RESET_TOKEN_DELIVERY=response): tokens go back in the HTTP response, which
 * the use cases see from the channel, and nothing is sent anywhere. Only suitable where the caller is
 * trusted to forward the token (a front end that mails it, or development).
 */
export class ResponseNotifier implements Notifier {
  readonly channel = 'response';

  async send(): Promise<void> {}

  notify(): void {}
}
