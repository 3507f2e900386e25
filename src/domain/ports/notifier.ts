/**
 * Who a message is for: the address, and the languages the person asked in (the Accept-Language of the
 * request that caused it, most preferred first; empty when unknown): the notifier picks the first it
 * has, or its default.
 */
interface Recipient {
  readonly to: string;
  readonly languages: readonly string[];
}

/** A message carrying a token that proves control of `to`: spent through a page the link opens, never by following it. */
export interface TokenMessage extends Recipient {
  readonly kind: 'password-reset' | 'email-verification' | 'email-change';
  readonly token: string;
  readonly expiresAt: Date;
}

/**
 * A message with nothing to use in it: a stand-in where no token may be sent (an address without an
 * account, one that belongs to another account), or a security notice after a change committed.
 */
export type NoticeMessage = Recipient &
  (
    | {
        readonly kind:
          | 'reset-without-account'
          | 'verification-without-account'
          | 'sign-up-attempted'
          | 'email-change-attempted'
          | 'password-changed'
          | 'password-reset'
          | 'account-deleted';
      }
    | { readonly kind: 'email-changed'; readonly newEmail: string }
  );

export type Message = TokenMessage | NoticeMessage;

/**
 * How tokens and notices reach people.
 * - `response`, the seed's: a token goes back to the caller in the HTTP response (only behind a trusted
 *   front end), nothing is ever sent, and so nothing hides whether an address has an account.
 * - `email`: messages go to the address, and the caller's answer is the same whoever owns it.
 * The use cases decide what each channel means for their answer; the notifier only sends.
 */
export interface Notifier {
  readonly channel: 'response' | 'email';

  /**
   * Sends now and waits until the message is accepted for delivery: a use case whose answer depends on
   * it (a token, or its stand-in). Rejects with DeliveryUnavailableError when the channel cannot deliver
   * now. Sends nothing on the response channel.
   */
  send(message: Message): Promise<void>;

  /**
   * A message after a change committed (a security notice, the verification link of a new account): sent
   * in the background, so it neither delays nor fails the answer, and never undoes the change. Never
   * throws; a failure is logged (without secrets). Sends nothing on the response channel.
   */
  notify(message: Message): void;
}
