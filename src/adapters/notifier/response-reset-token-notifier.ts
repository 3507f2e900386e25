import type { ResetTokenDelivery, ResetTokenNotice, ResetTokenNotifier } from '../../domain/ports/reset-token-notifier.js';

/**
 * The seed service's behaviour: the token goes back in the HTTP response. Only suitable where the caller
 * is trusted to forward it (a front end that emails it, or development); see RESET_TOKEN_DELIVERY.
 */
export class ResponseResetTokenNotifier implements ResetTokenNotifier {
  async notify(notice: ResetTokenNotice): Promise<ResetTokenDelivery> {
    return { channel: 'response', token: notice.token };
  }
}
