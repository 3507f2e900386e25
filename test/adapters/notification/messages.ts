import type { Message } from '../../../src/domain/ports/notifier.js';

/** A token as the service makes them (base64url), and one that the link must URL-encode. */
export const TOKEN = 'kq2Hn1cM3yG0cXy-qH3Jd7Q0o1yB5x0Zt1Vq2sCq9b_E';

export const LINKS = {
  resetUrl: 'https://app.example.com/reset-password#token={token}&email={email}',
  verifyUrl: 'https://app.example.com/verify?token={token}&email={email}',
} as const;

/** One message of every kind, to `to`, in `languages`; the token ones expire at `expiresAt`. */
export function everyMessage(to: string, languages: readonly string[], expiresAt: Date): Message[] {
  const recipient = { to, languages };
  return [
    { ...recipient, kind: 'password-reset', token: TOKEN, expiresAt },
    { ...recipient, kind: 'email-verification', token: TOKEN, expiresAt },
    { ...recipient, kind: 'email-change', token: TOKEN, expiresAt },
    { ...recipient, kind: 'reset-without-account' },
    { ...recipient, kind: 'verification-without-account' },
    { ...recipient, kind: 'sign-up-attempted' },
    { ...recipient, kind: 'email-change-attempted' },
    { ...recipient, kind: 'password-changed' },
    { ...recipient, kind: 'password-reset' },
    { ...recipient, kind: 'account-deleted' },
    { ...recipient, kind: 'email-changed', newEmail: 'new-address@example.org' },
  ];
}

/** The link a token message must carry: its template, filled in with the token and address URL-encoded. */
export function expectedLink(message: Message): string | undefined {
  if (!('token' in message)) return undefined;
  const template = message.kind === 'password-reset' ? LINKS.resetUrl : LINKS.verifyUrl;
  const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return template.replaceAll('{token}', encode(message.token)).replaceAll('{email}', encode(message.to));
}

/** What a message is called in a test title: the completed-reset notice apart from the reset link. */
export function label(message: Message): string {
  return message.kind === 'password-reset' && !('token' in message) ? 'password-reset (completed)' : message.kind;
}

export function escapeHtml(text: string): string {
  const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}
