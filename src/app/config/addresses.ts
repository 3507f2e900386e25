import { isIP } from 'node:net';
import { MongoClient } from 'mongodb';
import { z } from 'zod';
import { normalizeEmail } from '../../domain/rules/email.js';

// A DNS name (RFC 1123 labels) whose last label is not all digits: "999.1.1.1" is neither this nor an IP.
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)(?:${LABEL}\\.)*(?=[A-Za-z0-9-]*[A-Za-z-])${LABEL}$`);

export function host() {
  return z.string().refine((value) => isIP(value) !== 0 || HOST_NAME.test(value), {
    error: 'must be an IP address (127.0.0.1, ::) or a host name (localhost)',
  });
}

/** A comma-separated list of origins, each kept without its trailing slash; blanks between commas are skipped. */
export function origins() {
  return z.string().transform((value, ctx) => {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    const parsed = items.map((item) => URL.parse(item));
    if (parsed.some((url, index) => url === null || url.origin !== items[index]?.replace(/\/$/, ''))) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: 'must be a comma-separated list of origins such as https://app.example.com',
      });
      return z.NEVER;
    }
    return items.map((item) => item.replace(/\/$/, ''));
  });
}

export function mongoUri() {
  return z.string().refine(
    (value) => {
      try {
        // The driver parses the string and every option here, without connecting: one it would refuse
        // at start-up (an unknown compressor or auth mechanism) is refused now, with the variable's name.
        new MongoClient(value);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'must be a MongoDB connection string (mongodb:// or mongodb+srv://) whose options the MongoDB driver accepts' },
  );
}

/** postgres:// or postgresql://, with a host; the driver reads the rest (user, password, database, options). */
export function postgresUrl() {
  return z.url({
    protocol: /^postgres(ql)?$/,
    hostname: /./,
    error: 'must be a postgres://user:password@host:port/database URL (or postgresql://)',
  });
}

/** smtp://[user[:password]@]host[:port] or smtps://…: nothing else, as the URL may carry credentials. */
export function smtpUrl() {
  const error = 'must be smtp://[user:password@]host[:port] or smtps://[user:password@]host[:port], without path or query';
  return z.url({ protocol: /^smtps?$/, hostname: /./, abort: true, error }).refine(
    (value) => {
      // The URL parser's reading, not a pattern's: to it `/%2e` is no path, a bare `?` or `#` no query or fragment.
      const url = URL.parse(value);
      return url !== null && (url.pathname === '' || url.pathname === '/') && url.search === '' && url.hash === '';
    },
    { error },
  );
}

// A display name (bare, without the characters that would make it several addresses or a header
// injection, or quoted) and an address in angle brackets.
const NAMED_MAILBOX = /^(?:[^<>\r\n",;:@()[\]\\]*|"[^"\r\n\\]*")\s*<([^<>\s]*)>$/;

/** An address as the service's own email rules accept it (the domain's one shape), or `Name <address>`. */
function isMailbox(value: string): boolean {
  const address = NAMED_MAILBOX.exec(value)?.[1] ?? value;
  if (/\s/.test(address)) return false;
  try {
    normalizeEmail(address);
    return true;
  } catch {
    return false;
  }
}

export function mailFrom() {
  return z.string().trim().refine(isMailbox, {
    error: 'must be an email address, optionally with a display name: noreply@example.com or Example <noreply@example.com>',
  });
}

/** The link sent by email: an absolute http(s) URL template with a {token} placeholder, {email} optional. */
/** A link template for mailed messages (RESET_URL, VERIFY_URL). */
export function linkTemplate(example: string) {
  return z.string().refine(
    (value) => {
      if (!value.includes('{token}') || /\s/.test(value)) return false;
      // Filled in two ways: the placeholders must be in the path, query or fragment, never the origin;
      // and no credentials in a link that is mailed out.
      const [first, second] = ['a', 'b'].map((fill) => URL.parse(value.replaceAll('{token}', fill).replaceAll('{email}', fill)));
      if (first == null || second == null) return false;
      return (
        ['http:', 'https:'].includes(first.protocol) &&
        first.hostname !== '' &&
        first.username === '' &&
        first.password === '' &&
        first.origin === second.origin
      );
    },
    {
      error: `must be an absolute http(s) URL containing {token} (and optionally {email}), e.g. ${example}`,
    },
  );
}

/** A name for messages: a subject and a From name carry it, so no control character (no header injection). */
export function serviceName() {
  return z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(100, { error: 'must be at most 100 characters' })
    .refine((value) => !/\p{Cc}/u.test(value), { error: 'must not contain control characters' });
}
