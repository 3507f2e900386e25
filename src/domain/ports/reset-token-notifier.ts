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

/** Gets a reset token to the owner of the email address. */
export interface ResetTokenNotifier {
  notify(notice: ResetTokenNotice): Promise<ResetTokenDelivery>;
}
