/** The two messages a reset request can send, as plain text and HTML. Pure: no transport here. */

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * The reset link: the template with `{token}` (and `{email}`, if present) replaced by the URL-encoded
 * values. The template is checked at start-up (an absolute http(s) URL containing `{token}`).
 */
export function resetLink(template: string, token: string, email: string): string {
  return template.replaceAll('{token}', encodeUriStrictly(token)).replaceAll('{email}', encodeUriStrictly(email));
}

/**
 * encodeURIComponent, plus the characters it leaves alone that RFC 3986 reserves (! ' ( ) *): mail
 * clients that turn a plain-text address into a link often end it at a quote or a parenthesis.
 */
function encodeUriStrictly(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and for a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

function page(title: string, paragraphs: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.5">',
    ...paragraphs.map((paragraph) => `<p>${paragraph}</p>`),
    '</body></html>',
    '',
  ].join('\n');
}

/**
 * The message with the reset link. The token appears only inside the link: not in the subject, nor
 * anywhere else in the text. The expiry is given as an absolute UTC time, which stays true however
 * late the message is read.
 */
export function resetMessage(params: { readonly email: string; readonly link: string; readonly expiresAt: Date }): EmailContent {
  const { email, link, expiresAt } = params;
  const expiry = expiresAt.toUTCString();
  const subject = 'Reset your password';
  const text = [
    `Someone, hopefully you, asked to reset the password of the account ${email}.`,
    '',
    'To choose a new password, open this link:',
    '',
    link,
    '',
    `The link works once, until ${expiry}.`,
    '',
    'If you did not ask for this, ignore this message: your password stays as it is.',
    '',
  ].join('\n');
  const html = page(subject, [
    `Someone, hopefully you, asked to reset the password of the account ${escapeHtml(email)}.`,
    `<a href="${escapeHtml(link)}">Choose a new password</a>`,
    `If the link above does not open, copy this address into your browser:<br>${escapeHtml(link)}`,
    `The link works once, until ${escapeHtml(expiry)}.`,
    'If you did not ask for this, ignore this message: your password stays as it is.',
  ]);
  return { subject, text, html };
}

/** The notice sent when a reset is asked for an address with no account: no link, nothing to use. */
export function noAccountMessage(email: string): EmailContent {
  const subject = 'Password reset request';
  const text = [
    `Someone asked to reset the password of an account for ${email}, but this address has no account here.`,
    '',
    'If it was you, you may have registered with another address. If not, ignore this message: nothing has changed.',
    '',
  ].join('\n');
  const html = page(subject, [
    `Someone asked to reset the password of an account for ${escapeHtml(email)}, but this address has no account here.`,
    'If it was you, you may have registered with another address. If not, ignore this message: nothing has changed.',
  ]);
  return { subject, text, html };
}
