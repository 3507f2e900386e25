import { z } from 'zod';
import { variables, type Variables } from './variables.js';

/** Marks the issue that is a refusal to start with a valid but unsafe configuration, not an invalid value. */
export const REFUSAL = 'refusal';

type Context = z.RefinementCtx<Variables>;

function fail(ctx: Context, message: string, path: string[] = [], params?: Record<string, unknown>): typeof z.NEVER {
  ctx.issues.push({ code: 'custom', input: undefined, message, path, ...(params === undefined ? {} : { params }) });
  return z.NEVER;
}

/** STORE: the store chosen, with its settings (and only its own). */
function store(env: Variables, ctx: Context) {
  if (env.STORE === 'memory') return { store: 'memory' } as const;
  if (env.STORE === 'sqlite') return { store: 'sqlite', sqlite: { path: env.SQLITE_PATH, synchronous: env.SQLITE_SYNCHRONOUS } } as const;
  if (env.STORE === 'postgres') {
    if (env.DATABASE_URL === undefined) return fail(ctx, 'is required when STORE=postgres', ['DATABASE_URL']);
    return {
      store: 'postgres',
      postgres: {
        /** May carry a password: never log it as is (see redactedConfig). */
        url: env.DATABASE_URL,
        schema: env.PG_SCHEMA,
        poolSize: env.PG_POOL_SIZE,
        timeoutSeconds: env.PG_TIMEOUT,
        startupTimeoutSeconds: env.PG_STARTUP_TIMEOUT,
      },
    } as const;
  }
  if (env.MONGODB_URI === undefined) return fail(ctx, 'is required when STORE=mongodb', ['MONGODB_URI']);
  return {
    store: 'mongodb',
    mongodb: {
      uri: env.MONGODB_URI,
      dbName: env.MONGODB_DB,
      writeConcern: env.MONGODB_WRITE_CONCERN,
      timeoutSeconds: env.MONGODB_TIMEOUT,
      startupTimeoutSeconds: env.MONGODB_STARTUP_TIMEOUT,
    },
  } as const;
}

/** RESET_TOKEN_DELIVERY: how reset tokens reach their owner, with the email settings exactly when by email. */
function delivery(env: Variables, ctx: Context) {
  if (env.RESET_TOKEN_DELIVERY === 'response') {
    if (env.NODE_ENV === 'production' && !env.ALLOW_RESET_TOKEN_IN_RESPONSE) {
      const message =
        'refusing to start: NODE_ENV=production with RESET_TOKEN_DELIVERY=response (the default) hands a reset token, ' +
        'and so the account, to anyone who asks with its email address; set RESET_TOKEN_DELIVERY=email, or ' +
        'ALLOW_RESET_TOKEN_IN_RESPONSE=true if a trusted front end mails the token on';
      return fail(ctx, message, [], { [REFUSAL]: true });
    }
    return { resetTokenDelivery: 'response' } as const;
  }
  const { SMTP_URL, MAIL_FROM, RESET_URL, VERIFY_URL } = env;
  if (SMTP_URL === undefined || MAIL_FROM === undefined || RESET_URL === undefined || VERIFY_URL === undefined) {
    const missing = Object.entries({ SMTP_URL, MAIL_FROM, RESET_URL, VERIFY_URL }).filter(([, value]) => value === undefined);
    const names = missing.map(([name]) => name).join(', ');
    return fail(ctx, `${names} ${missing.length === 1 ? 'is' : 'are'} required when RESET_TOKEN_DELIVERY=email`);
  }
  return {
    resetTokenDelivery: 'email',
    email: {
      /** May carry credentials: never log it as is (see redactedConfig). */
      smtpUrl: SMTP_URL,
      smtpTimeoutSeconds: env.SMTP_TIMEOUT,
      mailFrom: MAIL_FROM,
      /** The link templates, with {token} and optionally {email}. */
      resetUrl: RESET_URL,
      verifyUrl: VERIFY_URL,
    },
  } as const;
}

/** RATE_LIMIT=off: null, no limits at all. */
function rateLimits(env: Variables) {
  if (env.RATE_LIMIT === 'off') return null;
  return {
    requestsByAddress: env.RATE_LIMIT_ADDRESS,
    requestsByAccountAndAddress: env.RATE_LIMIT_ACCOUNT,
    logInFailuresByAccountAndAddress: env.RATE_LIMIT_LOGIN_FAILURES,
    logInFailuresByAccount: env.RATE_LIMIT_ACCOUNT_LOGIN_FAILURES,
  } as const;
}

/**
 * The environment, validated variable by variable, then shaped into the service's configuration. The
 * checks across variables run only once every variable is valid (a failing pipe stops before its
 * transform), one at a time, in the order below.
 */
export const configSchema = variables.transform((env, ctx) => {
  const storeChoice = store(env, ctx);
  if (ctx.issues.length > 0) return z.NEVER;
  const deliveryChoice = delivery(env, ctx);
  if (ctx.issues.length > 0) return z.NEVER;
  return {
    host: env.HOST,
    port: env.PORT,
    ...storeChoice,
    bcryptCost: env.BCRYPT_COST,
    /** How many bcrypt hashes or comparisons may run at once. */
    hashConcurrency: env.HASH_CONCURRENCY,
    /** How many hashes one client address may have waiting while every slot is busy; beyond it, 429 at once. */
    hashQueuePerClient: env.HASH_QUEUE_PER_CLIENT,
    passwordMinLength: env.PASSWORD_MIN_LENGTH,
    sessionTtlSeconds: env.SESSION_TTL,
    sessionIdleTtlSeconds: env.SESSION_IDLE_TTL,
    /** A log-in beyond this many live sessions ends the user's oldest one. */
    maxSessionsPerUser: env.MAX_SESSIONS_PER_USER,
    resetTokenTtlSeconds: env.RESET_TOKEN_TTL,
    emailVerification: env.EMAIL_VERIFICATION,
    verificationTokenTtlSeconds: env.VERIFICATION_TOKEN_TTL,
    /** The language of messages when the request's Accept-Language offers none the templates have. */
    mailLocale: env.MAIL_LOCALE,
    serviceName: env.SERVICE_NAME,
    cookieSecure: env.COOKIE_SECURE,
    trustProxy: env.TRUST_PROXY,
    /**
     * With trustProxy: how many proxies of ours append to X-Forwarded-For. The client address is the entry
     * that many places from the right, the one our outermost proxy saw; entries further left are whatever
     * the client sent, and are never used.
     */
    trustProxyHops: env.TRUST_PROXY_HOPS,
    ...deliveryChoice,
    shutdownTimeoutSeconds: env.SHUTDOWN_TIMEOUT,
    logLevel: env.LOG_LEVEL,
    rateLimits: rateLimits(env),
    /** Origins besides the service's own allowed to make cookie-authenticated state changes. */
    allowedOrigins: env.ALLOWED_ORIGINS ?? [],
  } as const;
});

/** The service's configuration: the schema's output, so the two cannot drift. */
export type Config = z.output<typeof configSchema>;
export type RateLimitsConfig = NonNullable<Config['rateLimits']>;
