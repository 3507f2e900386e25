import { UnknownEmailError } from '../../domain/errors.js';
import type { ResetTokenDelivery, ResetTokenNotice, ResetTokenNotifier } from '../../domain/ports/reset-token-notifier.js';

/**
 * The seed service's behaviour: the token goes back in the HTTP response, and an unknown email is refused
 * (403). Only suitable where the caller is trusted to forward the token (a front end that emails it, or
 * development); see RESET_TOKEN_DELIVERY.
 */
export class ResponseResetTokenNotifier implements ResetTokenNotifier {
  async notify(notice: ResetTokenNotice): Promise<ResetTokenDelivery> {
    return { channel: 'response', token: notice.token };
  }

  async notifyNoAccount(): Promise<void> {
    throw new UnknownEmailError();
  }
}
