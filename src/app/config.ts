import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { MongoClient } from 'mongodb';
import { redactConnectionString } from 'mongodb-connection-string-url';
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION_SHAPE = /^[1-9]\d{0,9}[smhd]?$/;

function durationSeconds(value: string): number {
  const unit = /[smhd]$/.test(value) ? value.slice(-1) : 's';
  return Number.parseInt(value, 10) * (DURATION_UNITS[unit] ?? 1);
}

/** "1h", "24d": a maximum as it is written in error messages and in the README. */
function shownDuration(seconds: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    const size = DURATION_UNITS[unit] ?? 1;
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/**
 * Node's timers cannot wait longer than 2^31-1 ms (about 24.8 days): a longer delay fires at once. Every
 * duration that ends up in a timer (rate-limit windows on the in-memory store, shutdown and store time
 * limits) is therefore capped below it, so that every accepted value works as written.
 */
const TIMER_MAX_SECONDS = 24 * 86400;

/** Seconds, with an optional unit: "900", "900s", "15m", "12h", "14d"; at most `maxSeconds`. */
function duration(fallback: string, maxSeconds: number) {
  return z
    .string()
    .default(fallback)
    .refine((value) => DURATION_SHAPE.test(value), {
      error: 'must be a positive whole number of seconds, optionally with a unit s, m, h or d (e.g. 900, 15m, 14d)',
    })
    .transform(durationSeconds)
    .refine((seconds) => seconds <= maxSeconds, { error: `must be at most ${shownDuration(maxSeconds)}` });
}

function integer(fallback: number, min: number, max: number) {
  return z
    .string()
    .default(String(fallback))
    .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      error: `must be a whole number from ${min} to ${max}`,
    })
    .transform(Number);
}

function boolean(fallback: boolean) {
  return z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true');
}

/**
 * One hash more than there are cores keeps every core hashing while a finished hash waits for the event
 * loop to start the next (measured: log-in, registration and reset at 0.96–0.98 of raw bcrypt, against
 * 0.94–0.98 with one per core); but never the whole libuv pool, which DNS look-ups and the MongoDB
 * driver's authentication also need. See the README's Performance section for the trade-off.
 */
export function defaultHashConcurrency(cores: number, threadPoolSize: number): number {
  return Math.max(1, Math.min(cores + 1, threadPoolSize - 1));
}

/** "<attempts>/<window>", e.g. "100/1m": at most 100 attempts per minute; the window at most 24 days. */
function rateLimit(fallback: string) {
  return z
    .string()
    .default(fallback)
    .refine((value) => /^[1-9]\d{0,6}\/[1-9]\d{0,9}[smhd]?$/.test(value), {
      error: 'must be <attempts>/<window>, e.g. 100/1m or 5/15m',
    })
    .transform((value) => {
      const [attempts = '', window = ''] = value.split('/');
      return { attempts: Number(attempts), windowSeconds: durationSeconds(window) };
    })
    .refine((limit) => limit.windowSeconds <= TIMER_MAX_SECONDS, {
      error: `must have a window of at most ${shownDuration(TIMER_MAX_SECONDS)}`,
    });
}

function origins() {
  return z
    .string()
    .default('')
    .refine(
      (value) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
          .every((item) => URL.canParse(item) && new URL(item).origin === item.replace(/\/$/, '')),
      { error: 'must be a comma-separated list of origins such as https://app.example.com' },
    )
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim().replace(/\/$/, ''))
        .filter((item) => item !== ''),
    );
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return z.enum(values, { error: `must be one of: ${values.join(', ')}` }).default(fallback);
}

function mongoUri() {
  return z
    .string()
    .optional()
    .refine(
      (value) => {
        if (value === undefined) return true;
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

/** smtp://[user[:password]@]host[:port] or smtps://…: nothing else, as the URL may carry credentials. */
function smtpUrl() {
  return z
    .string()
    .optional()
    .refine(
      (value) => {
        if (value === undefined) return true;
        if (!URL.canParse(value)) return false;
        const url = new URL(value);
        return (
          ['smtp:', 'smtps:'].includes(url.protocol) &&
          url.hostname !== '' &&
          (url.pathname === '' || url.pathname === '/') &&
          url.search === '' &&
          url.hash === ''
        );
      },
      { error: 'must be smtp://[user:password@]host[:port] or smtps://[user:password@]host[:port], without path or query' },
    );
}

// An address as the service's own email rules accept it, or a display name and that address in angle brackets.
const MAILBOX = "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*";
const MAIL_FROM_SHAPE = new RegExp(`^(?:${MAILBOX}|(?:[^<>\\r\\n",;:@()\\[\\]\\\\]*|"[^"\\r\\n\\\\]*")\\s*<${MAILBOX}>)$`);

function mailFrom() {
  return z
    .string()
    .optional()
    .refine((value) => value === undefined || MAIL_FROM_SHAPE.test(value.trim()), {
      error: 'must be an email address, optionally with a display name: noreply@example.com or Example <noreply@example.com>',
    })
    .transform((value) => value?.trim());
}

/** The link sent by email: an absolute http(s) URL template with a {token} placeholder, {email} optional. */
function resetUrl() {
  return z
    .string()
    .optional()
    .refine(
      (value) => {
        if (value === undefined) return true;
        if (!value.includes('{token}') || /\s/.test(value)) return false;
        // Filled in two ways: the placeholders must be in the path, query or fragment, never the origin;
        // and no credentials in a link that is mailed out.
        const [first, second] = ['a', 'b'].map((fill) => value.replaceAll('{token}', fill).replaceAll('{email}', fill));
        if (first === undefined || second === undefined || !URL.canParse(first) || !URL.canParse(second)) return false;
        const url = new URL(first);
        return (
          ['http:', 'https:'].includes(url.protocol) &&
          url.hostname !== '' &&
          url.username === '' &&
          url.password === '' &&
          url.origin === new URL(second).origin
        );
      },
      { error: 'must be an absolute http(s) URL containing {token} (and optionally {email}), e.g. https://app.example.com/reset#token={token}' },
    );
}

// A DNS name (RFC 1123 labels) whose last label is not all digits: "999.1.1.1" is neither this nor an IP.
const HOST_NAME = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*(?=[A-Za-z0-9-]*[A-Za-z-])[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const schema = z.object({
  HOST: z
    .string()
    .default('127.0.0.1')
    .refine((value) => isIP(value) !== 0 || HOST_NAME.test(value), {
      error: 'must be an IP address (127.0.0.1, ::) or a host name (localhost)',
    }),
  PORT: integer(5000, 0, 65535),
  STORE: oneOf(['memory', 'mongodb'], 'memory'),
  MONGODB_URI: mongoUri(),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'must be 1 to 63 letters, digits, _ or -' })
    .default('auth'),
  MONGODB_WRITE_CONCERN: z
    .string()
    .regex(/^(majority|[1-9]\d?)$/, { error: 'must be majority or a number of members from 1 to 99' })
    .default('majority')
    .transform((value) => (value === 'majority' ? value : Number(value))),
  MONGODB_TIMEOUT: duration('2s', 3600),
  MONGODB_STARTUP_TIMEOUT: duration('30s', 3600),
  BCRYPT_COST: integer(12, 4, 31),
  HASH_CONCURRENCY: integer(defaultHashConcurrency(availableParallelism(), Number(process.env.UV_THREADPOOL_SIZE ?? 4) || 4), 1, 256),
  HASH_QUEUE_PER_CLIENT: integer(8, 1, 10000),
  PASSWORD_MIN_LENGTH: integer(8, 1, 72),
  // Browsers cap a cookie's lifetime at 400 days (RFC 6265bis): a longer session could not be kept.
  SESSION_TTL: duration('14d', 400 * 86400),
  MAX_SESSIONS_PER_USER: integer(100, 1, 10000),
  RESET_TOKEN_TTL: duration('30m', 7 * 86400),
  COOKIE_SECURE: boolean(false),
  TRUST_PROXY: boolean(false),
  TRUST_PROXY_HOPS: integer(1, 1, 10),
  RESET_TOKEN_DELIVERY: oneOf(['response', 'email'], 'response'),
  ALLOW_RESET_TOKEN_IN_RESPONSE: boolean(false),
  NODE_ENV: z.string().optional(),
  SMTP_URL: smtpUrl(),
  SMTP_TIMEOUT: duration('5s', 3600),
  MAIL_FROM: mailFrom(),
  RESET_URL: resetUrl(),
  SHUTDOWN_TIMEOUT: duration('10s', 3600),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  RATE_LIMIT: oneOf(['on', 'off'], 'on'),
  RATE_LIMIT_ADDRESS: rateLimit('100/1m'),
  RATE_LIMIT_ACCOUNT: rateLimit('10/15m'),
  RATE_LIMIT_LOGIN_FAILURES: rateLimit('5/15m'),
  RATE_LIMIT_ACCOUNT_LOGIN_FAILURES: rateLimit('100/1h'),
  ALLOWED_ORIGINS: origins(),
});

export interface MongoConfig {
  readonly uri: string;
  readonly dbName: string;
  readonly writeConcern: 'majority' | number;
  readonly timeoutSeconds: number;
  readonly startupTimeoutSeconds: number;
}

/** How reset tokens are mailed, with RESET_TOKEN_DELIVERY=email. */
export interface EmailConfig {
  /** May carry credentials: never log it as is (see redactedConfig). */
  readonly smtpUrl: string;
  readonly smtpTimeoutSeconds: number;
  readonly mailFrom: string;
  /** The link template, with {token} and optionally {email}. */
  readonly resetUrl: string;
}

export interface RateLimitConfig {
  readonly attempts: number;
  readonly windowSeconds: number;
}

export interface RateLimitsConfig {
  readonly requestsByAddress: RateLimitConfig;
  readonly requestsByAccountAndAddress: RateLimitConfig;
  readonly logInFailuresByAccountAndAddress: RateLimitConfig;
  readonly logInFailuresByAccount: RateLimitConfig;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly store: 'memory' | 'mongodb';
  /** Present exactly when store is 'mongodb'. */
  readonly mongodb?: MongoConfig;
  readonly bcryptCost: number;
  /** How many bcrypt hashes or comparisons may run at once. */
  readonly hashConcurrency: number;
  /**
   * How many hashes one client address may have waiting while every slot is busy; beyond it, 429 at once.
   * Default 8: a person has one log-in in flight, two after a double click, and an address shared by
   * several people (an office, a NAT) seldom more at the same moment; whereas RATE_LIMIT_ADDRESS's 100/min
   * alone would let one address queue 100 hashes, tens of seconds of work at cost 12. The queue is fair
   * in any case (one turn per client per round), so this bounds the work and memory one address can
   * claim, not the wait of others. It is a rate limit: RATE_LIMIT=off lifts it too.
   */
  readonly hashQueuePerClient: number;
  readonly passwordMinLength: number;
  readonly sessionTtlSeconds: number;
  /** A log-in beyond this many live sessions ends the user's oldest one. */
  readonly maxSessionsPerUser: number;
  readonly resetTokenTtlSeconds: number;
  readonly cookieSecure: boolean;
  readonly trustProxy: boolean;
  /**
   * With trustProxy: how many proxies of ours append to X-Forwarded-For. The client address is the entry
   * that many places from the right, the one our outermost proxy saw; entries further left are whatever
   * the client sent, and are never used.
   */
  readonly trustProxyHops: number;
  readonly resetTokenDelivery: 'response' | 'email';
  /** Present exactly when resetTokenDelivery is 'email'. */
  readonly email?: EmailConfig;
  readonly shutdownTimeoutSeconds: number;
  readonly logLevel: string;
  /** Null when RATE_LIMIT=off. */
  readonly rateLimits: RateLimitsConfig | null;
  /** Origins besides the service's own allowed to make cookie-authenticated state changes. */
  readonly allowedOrigins: readonly string[];
}

/** An SMTP URL with its password replaced by a placeholder (the user name stays, to tell accounts apart). */
function redactSmtpUrl(value: string): string {
  if (!URL.canParse(value)) return '(unparseable URL)';
  const url = new URL(value);
  const credentials = url.username === '' && url.password === '' ? '' : `${url.username}${url.password === '' ? '' : ':<password>'}@`;
  return `${url.protocol}//${credentials}${url.host}`;
}

/** The configuration as it may be logged: credentials in the MongoDB and SMTP URLs replaced by placeholders. */
export function redactedConfig(config: Config): object {
  return {
    ...config,
    ...(config.mongodb === undefined ? {} : { mongodb: { ...config.mongodb, uri: redactConnectionString(config.mongodb.uri) } }),
    ...(config.email === undefined ? {} : { email: { ...config.email, smtpUrl: redactSmtpUrl(config.email.smtpUrl) } }),
  };
}

/** Reads and validates the environment once; an invalid value stops start-up with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  // An empty variable counts as unset, as it does for most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    // Values are never echoed: some variables (a database URI) carry credentials.
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const env_ = parsed.data;
  if (env_.STORE === 'mongodb' && env_.MONGODB_URI === undefined) {
    throw new ConfigError('invalid configuration: MONGODB_URI is required when STORE=mongodb');
  }
  if (env_.RESET_TOKEN_DELIVERY === 'email') {
    const missing = (['SMTP_URL', 'MAIL_FROM', 'RESET_URL'] as const).filter((name) => env_[name] === undefined);
    if (missing.length > 0) {
      const verb = missing.length === 1 ? 'is' : 'are';
      throw new ConfigError(`invalid configuration: ${missing.join(', ')} ${verb} required when RESET_TOKEN_DELIVERY=email`);
    }
  }
  if (env_.RESET_TOKEN_DELIVERY === 'response' && env_.NODE_ENV === 'production' && !env_.ALLOW_RESET_TOKEN_IN_RESPONSE) {
    throw new ConfigError(
      'refusing to start: NODE_ENV=production with RESET_TOKEN_DELIVERY=response (the default) hands a reset token, ' +
        'and so the account, to anyone who asks with its email address; set RESET_TOKEN_DELIVERY=email, or ' +
        'ALLOW_RESET_TOKEN_IN_RESPONSE=true if a trusted front end mails the token on',
    );
  }
  return {
    host: env_.HOST,
    port: env_.PORT,
    store: env_.STORE,
    ...(env_.STORE === 'mongodb' && env_.MONGODB_URI !== undefined
      ? {
          mongodb: {
            uri: env_.MONGODB_URI,
            dbName: env_.MONGODB_DB,
            writeConcern: env_.MONGODB_WRITE_CONCERN,
            timeoutSeconds: env_.MONGODB_TIMEOUT,
            startupTimeoutSeconds: env_.MONGODB_STARTUP_TIMEOUT,
          },
        }
      : {}),
    bcryptCost: env_.BCRYPT_COST,
    hashConcurrency: env_.HASH_CONCURRENCY,
    hashQueuePerClient: env_.HASH_QUEUE_PER_CLIENT,
    passwordMinLength: env_.PASSWORD_MIN_LENGTH,
    sessionTtlSeconds: env_.SESSION_TTL,
    maxSessionsPerUser: env_.MAX_SESSIONS_PER_USER,
    resetTokenTtlSeconds: env_.RESET_TOKEN_TTL,
    cookieSecure: env_.COOKIE_SECURE,
    trustProxy: env_.TRUST_PROXY,
    trustProxyHops: env_.TRUST_PROXY_HOPS,
    resetTokenDelivery: env_.RESET_TOKEN_DELIVERY,
    ...(env_.RESET_TOKEN_DELIVERY === 'email' && env_.SMTP_URL !== undefined && env_.MAIL_FROM !== undefined && env_.RESET_URL !== undefined
      ? {
          email: {
            smtpUrl: env_.SMTP_URL,
            smtpTimeoutSeconds: env_.SMTP_TIMEOUT,
            mailFrom: env_.MAIL_FROM,
            resetUrl: env_.RESET_URL,
          },
        }
      : {}),
    shutdownTimeoutSeconds: env_.SHUTDOWN_TIMEOUT,
    logLevel: env_.LOG_LEVEL,
    rateLimits:
      env_.RATE_LIMIT === 'off'
        ? null
        : {
            requestsByAddress: env_.RATE_LIMIT_ADDRESS,
            requestsByAccountAndAddress: env_.RATE_LIMIT_ACCOUNT,
            logInFailuresByAccountAndAddress: env_.RATE_LIMIT_LOGIN_FAILURES,
            logInFailuresByAccount: env_.RATE_LIMIT_ACCOUNT_LOGIN_FAILURES,
          },
    allowedOrigins: env_.ALLOWED_ORIGINS,
  };
}
