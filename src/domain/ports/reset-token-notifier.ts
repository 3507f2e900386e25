export interface ResetTokenNotice {
  readonly email: string;
  readonly token: string;
  readonly expiresAt: Date;
}

/**
 * How a reset token reached its owner: either handed back to the caller to put in the HTTP response
 * (the seed service's behaviour), or sent out of band so the caller never sees it.
 */
export type ResetTokenDelivery = { readonly channel: 'response'; readonly token: string } | { readonly channel: 'out-of-band' };

/**
 * Gets a reset token to the owner of the email address. A reset request always ends in exactly one of
 * the two methods, so that a request for an address with no account does the same work as any other;
 * each channel decides what answering that request means.
 *
 * Either method rejects with DeliveryUnavailableError when its channel cannot deliver now (a mail
 * server down or refusing): nothing was delivered, and retrying later is the remedy.
 */
export interface ResetTokenNotifier {
  notify(notice: ResetTokenNotice): Promise<ResetTokenDelivery>;

  /**
   * A reset was asked for an address that has no account. An out-of-band channel tells that address so
   * (the caller sees the same answer as for an account); the response channel, which would otherwise
   * answer differently anyway, rejects with UnknownEmailError.
   */
  notifyNoAccount(email: string): Promise<void>;
}
