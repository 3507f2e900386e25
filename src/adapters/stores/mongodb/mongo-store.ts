import { MongoClient, type Db, type W } from 'mongodb';
import { ConnectionString } from 'mongodb-connection-string-url';
import type { RateLimiter } from '../../../domain/ports/rate-limiter.js';
import { ensureMongoRateLimiterIndexes, mongoRateLimiter } from '../../rate-limit/mongo-rate-limiter.js';
import { retryAtStartup } from '../startup-retry.js';
import type { RateLimit, Store } from '../store.js';
import type { SessionDocument, UserDocument } from './documents.js';
import { MongoSessionRepository } from './mongo-session-repository.js';
import { MongoUserRepository } from './mongo-user-repository.js';
import { TIMED_OUT, within, withDeadlines } from '../deadlines.js';
import { storeOperation } from './store-errors.js';

export interface MongoStoreOptions {
  readonly uri: string;
  readonly dbName: string;
  /** Write concern for every write; 'majority' survives a replica-set failover. */
  readonly writeConcern: W;
  /**
   * The store's one time limit: server selection, connection, and the deadline of every repository
   * call, rate-limit count and ping (past it: StoreUnavailableError, whatever the server does).
   */
  readonly timeoutMs: number;
  /** How long start-up keeps retrying an unreachable server. */
  readonly startupTimeoutMs: number;
  readonly onRetry?: (details: { attempt: number; delayMs: number; reason: string }) => void;
}

/** The hosts of a connection string, never its credentials. */
function describeHosts(uri: string): string {
  try {
    return new ConnectionString(uri).hosts.join(',');
  } catch {
    return '(unparseable URI)';
  }
}

/**
 * A socket is closed this long after the deadline has answered for it. Just past the server-side
 * maxTimeMS, so that a merely slow query still ends with the server's MaxTimeMSExpired on a connection
 * kept for reuse, while a hung server's socket is closed instead of piling up in the pool.
 */
const SOCKET_GRACE_MS = 500;

/**
 * One MongoClient for the process, its collections, indexes and repositories. The driver reconnects by
 * itself after an outage; the repositories answer StoreUnavailableError meanwhile, within timeoutMs
 * even when the server hangs (a client-side deadline: see withDeadlines).
 */
export class MongoStore implements Store {
  readonly users: MongoUserRepository;
  readonly sessions: MongoSessionRepository;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly timeoutMs: number,
  ) {
    this.users = withDeadlines(new MongoUserRepository(db.collection<UserDocument>('users'), timeoutMs), timeoutMs);
    this.sessions = withDeadlines(new MongoSessionRepository(db.collection<SessionDocument>('sessions'), timeoutMs), timeoutMs);
  }

  /** Connects, retrying with exponential backoff up to startupTimeoutMs, then ensures the indexes. */
  static async open(options: MongoStoreOptions): Promise<MongoStore> {
    return retryAtStartup({
      startupTimeoutMs: options.startupTimeoutMs,
      isRetryable: isRetryableAtStartup,
      failure: (attempts, reason) =>
        `cannot use MongoDB at ${describeHosts(options.uri)} (database ${options.dbName}) after ${attempts} attempt(s): ${reason}`,
      ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
      attempt: async () => {
        const client = new MongoClient(options.uri, {
          appName: 'auth-service',
          serverSelectionTimeoutMS: options.timeoutMs,
          connectTimeoutMS: options.timeoutMs,
          // The answer is bounded by the deadline (withDeadlines); these bound the work left behind it, so
          // that operations on a hung server end and free their connections, instead of queueing for ever.
          socketTimeoutMS: options.timeoutMs + SOCKET_GRACE_MS,
          waitQueueTimeoutMS: options.timeoutMs,
          // Kept on (the default), on purpose: a retry can no longer multiply the answer time, as the deadline
          // covers every attempt. What it still does is turn a failover (a stepped-down primary, a dropped
          // connection) into a success within the deadline; the server applies a retried write only once.
          retryReads: true,
          retryWrites: true,
          writeConcern: { w: options.writeConcern, wtimeoutMS: options.timeoutMs },
        });
        try {
          await client.connect();
          const db = client.db(options.dbName);
          await ensureIndexes(db);
          return new MongoStore(client, db, options.timeoutMs);
        } catch (error) {
          await client.close().catch(() => undefined);
          throw error;
        }
      },
    });
  }

  /** A limiter counting in this database, under the store's time limit. */
  rateLimiter(limit: RateLimit): RateLimiter {
    return mongoRateLimiter(this.client, this.db, limit, (limiter) => withDeadlines(limiter, this.timeoutMs));
  }

  /** Answers when the database answers: what readiness means. */
  async ping(): Promise<void> {
    await storeOperation(() => this.db.command({ ping: 1 }), this.timeoutMs);
  }

  /**
   * Closes the client; true once closed. With `timeoutMs`, gives up after it and answers false: against
   * a hung server the driver may wait for ever to end the server sessions (it opens a connection whose
   * handshake never completes), and the caller, a process exiting, need not wait for that.
   */
  async close(timeoutMs?: number): Promise<boolean> {
    const closing = this.client.close();
    if (timeoutMs === undefined) {
      await closing;
      return true;
    }
    return (await within(closing, timeoutMs)) !== TIMED_OUT;
  }
}

function isRetryableAtStartup(error: unknown): boolean {
  // Unreachable or not yet elected: worth waiting for. Bad credentials or conflicting indexes: not.
  return (
    error instanceof Error &&
    ['MongoServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoTopologyClosedError'].includes(error.name)
  );
}

/** Idempotent: creating an index that exists with the same options is a no-op. */
async function ensureIndexes(db: Db): Promise<void> {
  await db.collection<UserDocument>('users').createIndexes([
    { key: { email: 1 }, name: 'email_unique', unique: true },
    {
      key: { resetTokenHash: 1 },
      name: 'reset_token_hash_unique',
      unique: true,
      partialFilterExpression: { resetTokenHash: { $type: 'string' } },
    },
    {
      key: { verificationTokenHash: 1 },
      name: 'verification_token_hash_unique',
      unique: true,
      partialFilterExpression: { verificationTokenHash: { $type: 'string' } },
    },
    {
      // What an email change is looked up by when its token is spent.
      key: { emailChangeTokenHash: 1 },
      name: 'email_change_token_hash_unique',
      unique: true,
      partialFilterExpression: { emailChangeTokenHash: { $type: 'string' } },
    },
  ]);
  await db.collection<SessionDocument>('sessions').createIndexes([
    // A user's sessions, newest first: ending all of them, and trimming the oldest beyond the cap.
    { key: { userId: 1, createdAt: -1 }, name: 'user_id_created_at' },
    // MongoDB's TTL monitor deletes a session once expiresAt has passed (it runs about once a minute).
    { key: { expiresAt: 1 }, name: 'expires_at_ttl', expireAfterSeconds: 0 },
  ]);
  await ensureMongoRateLimiterIndexes(db);
}
