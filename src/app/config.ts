import { availableParallelism } from 'node:os';
import { ConnectionString, redactConnectionString } from 'mongodb-connection-string-url';
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds, with an optional unit: "900", "900s", "15m", "12h", "14d". */
function duration(fallback: string) {
  return z
    .string()
    .default(fallback)
    .refine((value) => /^[1-9]\d{0,9}[smhd]?$/.test(value), {
      error: 'must be a positive whole number of seconds, optionally with a unit s, m, h or d (e.g. 900, 15m, 14d)',
    })
    .transform((value) => {
      const unit = /[smhd]$/.test(value) ? value.slice(-1) : 's';
      return Number.parseInt(value, 10) * (DURATION_UNITS[unit] ?? 1);
    });
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

/** "<attempts>/<window>", e.g. "100/1m": at most 100 attempts per minute. */
function rateLimit(fallback: string) {
  return z
    .string()
    .default(fallback)
    .refine((value) => /^[1-9]\d{0,6}\/[1-9]\d{0,9}[smhd]?$/.test(value), {
      error: 'must be <attempts>/<window>, e.g. 100/1m or 5/15m',
    })
    .transform((value) => {
      const [attempts = '', window = ''] = value.split('/');
      const unit = /[smhd]$/.test(window) ? window.slice(-1) : 's';
      return { attempts: Number(attempts), windowSeconds: Number.parseInt(window, 10) * (DURATION_UNITS[unit] ?? 1) };
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
          new ConnectionString(value);
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be a MongoDB connection string (mongodb:// or mongodb+srv://)' },
    );
}

const schema = z.object({
  HOST: z.string().min(1, { error: 'must not be empty' }).default('127.0.0.1'),
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
  MONGODB_TIMEOUT: duration('2s'),
  MONGODB_STARTUP_TIMEOUT: duration('30s'),
  BCRYPT_COST: integer(12, 4, 31),
  HASH_CONCURRENCY: integer(availableParallelism(), 1, 256),
  PASSWORD_MIN_LENGTH: integer(8, 1, 72),
  SESSION_TTL: duration('14d'),
  RESET_TOKEN_TTL: duration('30m'),
  COOKIE_SECURE: boolean(false),
  TRUST_PROXY: boolean(false),
  RESET_TOKEN_DELIVERY: oneOf(['response'], 'response'),
  SHUTDOWN_TIMEOUT: duration('10s'),
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

export interface RateLimitConfig {
  readonly attempts: number;
  readonly windowSeconds: number;
}

export interface RateLimitsConfig {
  readonly requestsByAddress: RateLimitConfig;
  readonly requestsByAccount: RateLimitConfig;
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
  readonly passwordMinLength: number;
  readonly sessionTtlSeconds: number;
  readonly resetTokenTtlSeconds: number;
  readonly cookieSecure: boolean;
  readonly trustProxy: boolean;
  readonly resetTokenDelivery: 'response';
  readonly shutdownTimeoutSeconds: number;
  readonly logLevel: string;
  /** Null when RATE_LIMIT=off. */
  readonly rateLimits: RateLimitsConfig | null;
  /** Origins besides the service's own allowed to make cookie-authenticated state changes. */
  readonly allowedOrigins: readonly string[];
}

/** The configuration as it may be logged: credentials in the MongoDB URI replaced by placeholders. */
export function redactedConfig(config: Config): object {
  return config.mongodb === undefined
    ? config
    : { ...config, mongodb: { ...config.mongodb, uri: redactConnectionString(config.mongodb.uri) } };
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
    passwordMinLength: env_.PASSWORD_MIN_LENGTH,
    sessionTtlSeconds: env_.SESSION_TTL,
    resetTokenTtlSeconds: env_.RESET_TOKEN_TTL,
    cookieSecure: env_.COOKIE_SECURE,
    trustProxy: env_.TRUST_PROXY,
    resetTokenDelivery: env_.RESET_TOKEN_DELIVERY,
    shutdownTimeoutSeconds: env_.SHUTDOWN_TIMEOUT,
    logLevel: env_.LOG_LEVEL,
    rateLimits:
      env_.RATE_LIMIT === 'off'
        ? null
        : {
            requestsByAddress: env_.RATE_LIMIT_ADDRESS,
            requestsByAccount: env_.RATE_LIMIT_ACCOUNT,
            logInFailuresByAccountAndAddress: env_.RATE_LIMIT_LOGIN_FAILURES,
            logInFailuresByAccount: env_.RATE_LIMIT_ACCOUNT_LOGIN_FAILURES,
          },
    allowedOrigins: env_.ALLOWED_ORIGINS,
  };
}
