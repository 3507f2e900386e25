// Strings that must reach the service as they are (header values, paths, form bodies), encoded so
// that Node sends them: what is generated is what a hostile client would want to say.

/** Percent-encodes the UTF-8 bytes of a string, except unreserved characters (a lone surrogate becomes U+FFFD). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A header value Node will send: the string's UTF-8 bytes as latin1, control characters percent-encoded. */
export function headerSafe(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte === 9 || (byte >= 0x20 && byte !== 0x7f) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function truncate(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
