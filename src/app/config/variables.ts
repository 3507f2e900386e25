import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { host, linkTemplate, mailFrom, mongoUri, origins, postgresUrl, serviceName, smtpUrl } from './addresses.js';
import { DAY, duration, HOUR, rateLimit, shownDuration, TIMER_MAX_SECONDS } from './durations.js';
import { boolean, databaseName, filePath, integer, oneOf, schemaName, writeConcern } from './values.js';
import { variable } from './variable.js';
import { MAIL_LOCALES } from '../../adapters/notification/mail-templates.js';

/**
 * One hash more than there are cores keeps every core hashing while a finished hash waits for the event
 * loop to start the next; but never the whole libuv pool, which DNS look-ups and the MongoDB driver's
 * authentication also need. bench/README.md shows the trade-off as measured.
 */
export function defaultHashConcurrency(cores: number, threadPoolSize: number): number {
  return Math.max(1, Math.min(cores + 1, threadPoolSize - 1));
}

const threadPoolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4) || 4;

/** "at most `1h`": a duration's maximum as the table shows it, from the same number the schema checks. */
const atMost = (seconds: number) => `at most \`${shownDuration(seconds)}\``;
const withEmail = 'with `email` delivery, required:';

/** Every environment variable the service reads, in the README's order, with what the README says of it. */
export const variables = z.object({
  HOST: variable(host(), {
    fallback: '127.0.0.1',
    meaning: 'address to listen on (`0.0.0.0` to accept outside connections): an IP address or a host name',
  }),
  PORT: variable(integer(0, 65535), { fallback: '5000', meaning: 'port to listen on (`0` picks a free one)' }),
  STORE: variable(oneOf(['sqlite', 'postgres', 'mongodb', 'memory']), {
    fallback: 'sqlite',
    meaning:
      'where users, sessions and rate-limit counters live: `sqlite` (embedded, one file), `postgres`, `mongodb`, or `memory` ' +
      '(lost on restart: tests); see [Choosing a store](#choosing-a-store)',
  }),
  SQLITE_PATH: variable(filePath(), {
    fallback: 'data/auth.sqlite3',
    meaning: 'with `STORE=sqlite`: the database file, relative to the working folder; it and its folder are created on first start',
  }),
  SQLITE_SYNCHRONOUS: variable(oneOf(['full', 'normal']), {
    fallback: 'full',
    meaning:
      'with `STORE=sqlite`: `full` puts every commit on disk before answering (survives a power loss); `normal` survives the ' +
      'process being killed but may lose the last commits to a power loss or OS crash',
  }),
  DATABASE_URL: variable(postgresUrl(), {
    meaning:
      'with `STORE=postgres`, required: `postgres://user:password@host:port/database` (libpq-style options in the query, ' +
      'e.g. `?sslmode=require`); only host, port and database are ever logged',
  }),
  PG_SCHEMA: variable(schemaName(), {
    fallback: 'public',
    meaning: 'the schema that holds the tables, created on first start if missing (several services can share a database)',
  }),
  PG_POOL_SIZE: variable(integer(1, 1000), {
    fallback: '10',
    meaning: 'connections per instance, 1–1,000; the server must allow instances × this (`max_connections`)',
  }),
  PG_TIMEOUT: variable(duration(HOUR), {
    fallback: '2s',
    meaning:
      `${atMost(HOUR)}: connecting, the server's \`statement_timeout\`, and a deadline on every store call, rate-limit count ` +
      'and readiness ping; past it a request gets 503, whether the database is down or hung',
  }),
  PG_STARTUP_TIMEOUT: variable(duration(HOUR), {
    fallback: '30s',
    meaning: `${atMost(HOUR)}: how long start-up keeps retrying an unreachable server`,
  }),
  MONGODB_URI: variable(mongoUri(), {
    meaning:
      'with `STORE=mongodb`, required: a `mongodb://` or `mongodb+srv://` connection string whose options the driver accepts ' +
      '(checked at start-up, without connecting)',
  }),
  MONGODB_DB: variable(databaseName(), { fallback: 'auth', meaning: 'database name' }),
  MONGODB_WRITE_CONCERN: variable(writeConcern(), {
    fallback: 'majority',
    meaning: 'write concern of every write: `majority`, or a number of members',
  }),
  MONGODB_TIMEOUT: variable(duration(HOUR), {
    fallback: '2s',
    meaning:
      `${atMost(HOUR)}: a client-side deadline on every store call (driver retries included), rate-limit count and readiness ping; ` +
      'past it a request gets 503, whether the database is down or hung',
  }),
  MONGODB_STARTUP_TIMEOUT: variable(duration(HOUR), {
    fallback: '30s',
    meaning: `${atMost(HOUR)}: how long start-up keeps retrying an unreachable server`,
  }),
  BCRYPT_COST: variable(integer(4, 31), { fallback: '12', meaning: 'bcrypt work factor, 4–31; each step doubles the cost of hashing' }),
  HASH_CONCURRENCY: variable(integer(1, 256), {
    fallback: String(defaultHashConcurrency(availableParallelism(), threadPoolSize)),
    shownDefault: 'cores + 1, at most `UV_THREADPOOL_SIZE` − 1 (3 on 2 cores)',
    meaning: 'bcrypt hashes and comparisons that may run at once; see [Performance](#performance)',
  }),
  // Default 8: a person has one log-in in flight, two after a double click, and an address shared by
  // several people (an office, a NAT) seldom more at the same moment; whereas RATE_LIMIT_ADDRESS's 100/min
  // alone would let one address queue 100 hashes, tens of seconds of work at cost 12. The queue is fair
  // in any case (one turn per client per round), so this bounds the work and memory one address can
  // claim, not the wait of others.
  HASH_QUEUE_PER_CLIENT: variable(integer(1, 10000), {
    fallback: '8',
    meaning:
      'hashes one client address may have waiting while every slot is busy; beyond it, 429 at once (lifted by `RATE_LIMIT=off`). ' +
      'Waiting hashes are taken round-robin between addresses, and dropped when their client hangs up',
  }),
  PASSWORD_MIN_LENGTH: variable(integer(1, 72), { fallback: '8', meaning: 'minimum password length in characters, 1–72' }),
  // Browsers cap a cookie's lifetime at 400 days (RFC 6265bis): a longer session could not be kept.
  SESSION_TTL: variable(duration(400 * DAY), {
    fallback: '14d',
    meaning: `absolute session lifetime from the log-in, never extended, also the cookie's \`Max-Age\`; ${atMost(400 * DAY)} (browsers cap cookies there)`,
  }),
  // A session's lastSeenAt is recorded at most once a minute (LAST_SEEN_INTERVAL_MS in src/app/use-cases.ts), so the idle
  // timeout is counted from up to a minute before the last use: at 5 minutes or more that is a fifth at most.
  SESSION_IDLE_TTL: variable(duration(400 * DAY).pipe(z.number().min(5 * 60, { error: 'must be at least 5m' })), {
    fallback: '24h',
    meaning:
      'idle timeout: a session unused for this long is refused (sliding; `SESSION_TTL` still ends it), between `5m` and `400d`; ' +
      'last use is recorded at most once a minute per session, so a session may end up to a minute early. See [Session lifetimes](#session-lifetimes)',
  }),
  MAX_SESSIONS_PER_USER: variable(integer(1, 10000), {
    fallback: '100',
    meaning: "live sessions per user, 1–10,000: a log-in beyond it ends that user's oldest session",
  }),
  RESET_TOKEN_TTL: variable(duration(7 * DAY), { fallback: '30m', meaning: `reset token lifetime, ${atMost(7 * DAY)}` }),
  COOKIE_SECURE: variable(boolean(), {
    fallback: 'false',
    meaning: 'add `Secure` to the session cookie; set `true` whenever clients reach the service over HTTPS',
  }),
  TRUST_PROXY: variable(boolean(), {
    fallback: 'false',
    meaning: 'honour `X-Forwarded-*` headers (only behind a reverse proxy that sets them)',
  }),
  TRUST_PROXY_HOPS: variable(integer(1, 10), {
    fallback: '1',
    meaning:
      'with `TRUST_PROXY`, how many proxies of yours append to `X-Forwarded-For`, 1–10: the client address is the entry that many ' +
      'places from the right (the one your outermost proxy saw); entries further left are whatever the client wrote, and are never used',
  }),
  RESET_TOKEN_DELIVERY: variable(oneOf(['response', 'email']), {
    fallback: 'response',
    meaning:
      'how reset, verification and email-change tokens reach their owner: `response` returns them in the HTTP response, as the ' +
      'seed does; `email` mails a link, sends security notices, and answers alike whether an address has an account ' +
      '(see [Reset tokens by email](#reset-tokens-by-email))',
  }),
  SMTP_URL: variable(smtpUrl(), {
    meaning:
      `${withEmail} \`smtp://[user:password@]host[:port]\` (STARTTLS, required when there are credentials) or \`smtps://…\` (TLS); ` +
      'the password is never logged',
  }),
  SMTP_TIMEOUT: variable(duration(HOUR), {
    fallback: '5s',
    meaning: `${atMost(HOUR)}: limit for each SMTP step and for the whole send; past it the request gets 503`,
  }),
  MAIL_FROM: variable(mailFrom(), { meaning: `${withEmail} the sender, \`address\` or \`Name <address>\`` }),
  RESET_URL: variable(linkTemplate('https://app.example.com/reset#token={token}'), {
    meaning:
      `${withEmail} the reset link template, an absolute http(s) URL with \`{token}\` and optionally \`{email}\` ` +
      '(URL-encoded when filled in), to a page that spends the token only when its form is sent',
  }),
  VERIFY_URL: variable(linkTemplate('https://app.example.com/verify#token={token}&email={email}'), {
    meaning:
      `${withEmail} the verification link template, like \`RESET_URL\` (for verifying an address and confirming an email change); ` +
      'the page it opens spends the token with `PUT /email_verification` on a button press, never on load',
  }),
  MAIL_LOCALE: variable(oneOf(MAIL_LOCALES), {
    fallback: 'en',
    meaning: 'the language of a message when none of the `Accept-Language` of the request that caused it is available: `en` or `fr`',
  }),
  SERVICE_NAME: variable(serviceName(), {
    fallback: 'Account service',
    meaning: 'the name messages sign with, 1–100 characters without control characters',
  }),
  EMAIL_VERIFICATION: variable(oneOf(['off', 'optional', 'required']), {
    fallback: 'off',
    meaning:
      "`off` (the seed's behaviour), `optional` (a new account is mailed its verification link; `GET /profile` reports " +
      '`email_verified`) or `required` (as `optional`, and an unverified account cannot log in); see [Email addresses](#email-addresses)',
  }),
  VERIFICATION_TOKEN_TTL: variable(duration(7 * DAY), {
    fallback: '24h',
    meaning: `verification and email-change token lifetime, ${atMost(7 * DAY)}`,
  }),
  NODE_ENV: variable(z.string(), {
    meaning: '`production` refuses to start with `response` delivery unless `ALLOW_RESET_TOKEN_IN_RESPONSE=true`',
  }),
  ALLOW_RESET_TOKEN_IN_RESPONSE: variable(boolean(), {
    fallback: 'false',
    meaning: 'the explicit opt-in to `response` delivery in production (a trusted front end that mails the tokens on)',
  }),
  SHUTDOWN_TIMEOUT: variable(duration(HOUR), {
    fallback: '10s',
    meaning: `${atMost(HOUR)}: on SIGTERM/SIGINT, how long requests in flight and then closing the store may take, in all`,
  }),
  LOG_LEVEL: variable(oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), {
    fallback: 'info',
    meaning: '`fatal`, `error`, `warn`, `info` (one line per request), `debug`, `trace` or `silent`',
  }),
  RATE_LIMIT: variable(oneOf(['on', 'off']), { fallback: 'on', meaning: '`off` disables rate limiting (load tests, trusted networks)' }),
  RATE_LIMIT_ADDRESS: variable(rateLimit(), {
    fallback: '100/1m',
    meaning: `authentication requests per client address, as \`<attempts>/<window>\`; every window ${atMost(TIMER_MAX_SECONDS)}`,
  }),
  RATE_LIMIT_LOGIN_FAILURES: variable(rateLimit(), {
    fallback: '5/15m',
    meaning:
      'failed log-ins per account and client address; reset- and verification-token attempts per account and address are counted apart ' +
      'with the same limit',
  }),
  RATE_LIMIT_ACCOUNT_LOGIN_FAILURES: variable(rateLimit(), {
    fallback: '100/1h',
    meaning:
      'failed log-ins per account from all addresses; wrong reset and verification tokens per account are counted apart with the same ' +
      'limit (and only wrong ones are refused)',
  }),
  RATE_LIMIT_ACCOUNT: variable(rateLimit(), {
    fallback: '10/15m',
    meaning: 'registration, reset, verification and email-change requests per account **and** client address, each action apart',
  }),
  ALLOWED_ORIGINS: variable(origins(), {
    meaning: "comma-separated origins (e.g. `https://app.example.com`) allowed to make state changes besides the service's own",
  }),
  // Read by Node itself (and by the HASH_CONCURRENCY default above), never by the service's configuration.
  UV_THREADPOOL_SIZE: variable(z.string(), { shownDefault: '`4`', meaning: "Node's own: libuv's thread pool, where bcrypt runs" }),
});

export type Variables = z.output<typeof variables>;
