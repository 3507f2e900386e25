import type { Session } from '../entities/session.js';
import type { User } from '../entities/user.js';
import { InvalidSessionError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { digestToken } from './secret-token.js';

/** How long a session lives. */
export interface SessionLifetimes {
  /** Absolute lifetime, from the log-in, never extended (SESSION_TTL). */
  readonly sessionTtlMs: number;
  /** Idle timeout: a session unused for this long is refused (SESSION_IDLE_TTL). */
  readonly idleTtlMs: number;
  /**
   * lastSeenAt is recorded at most once per this interval per session, so that the session check is not a
   * write per request; the idle timeout is therefore counted from up to this long before the last use.
   */
  readonly lastSeenIntervalMs: number;
}

export interface SessionSettings extends SessionLifetimes {
  /** A log-in beyond this many live sessions ends the user's oldest one. */
  readonly maxSessionsPerUser: number;
}

/** A session's User-Agent is kept up to this many characters: enough to tell browsers apart, not a place to store data. */
export const USER_AGENT_MAX_LENGTH = 256;

/** When the session ends if it is not used again: its absolute end, or the idle timeout, whichever comes first. */
export function sessionEndsAt(session: Session, lifetimes: SessionLifetimes): Date {
  return new Date(Math.min(session.expiresAt.getTime(), session.lastSeenAt.getTime() + lifetimes.idleTtlMs));
}

/** Whether a session may still be used at `now`, and was made for the user's current password. */
function isSessionLive(session: Session, user: Pick<User, 'passwordVersion'>, lifetimes: SessionLifetimes, now: Date): boolean {
  // A password change deletes the user's sessions; the version check also refuses any session that
  // outlived that deletion: one created by a log-in whose comparison ran while the change committed,
  // a failure half-way, a replica that lagged.
  return sessionEndsAt(session, lifetimes).getTime() > now.getTime() && session.passwordVersion === user.passwordVersion;
}

export interface SessionLookup {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly clock: Clock;
}

/**
 * The live session a token names, and its user; InvalidSessionError for anything else: no token, an
 * unknown, expired or idle one, a user gone, or a session issued for a password that has changed since.
 * Only reads: a request that goes on to succeed records the use (recordUse).
 */
export async function authenticate(
  { users, sessions, clock }: SessionLookup,
  lifetimes: SessionLifetimes,
  sessionToken: string,
): Promise<{ session: Session; user: User }> {
  if (sessionToken.length === 0) throw new InvalidSessionError();
  const session = await sessions.findById(digestToken(sessionToken));
  if (session === null) throw new InvalidSessionError();
  const user = await users.findById(session.userId);
  if (user === null || !isSessionLive(session, user, lifetimes, clock.now())) throw new InvalidSessionError();
  return { session, user };
}

/**
 * Records that a request with the session succeeded, which is what keeps it from going idle: lastSeenAt
 * is written at most once per lastSeenIntervalMs, so the session check stays a read on other requests.
 * A refused request records nothing (it changes nothing in the store). Returns the session as it now is.
 */
export async function recordUse(
  { sessions, clock }: Pick<SessionLookup, 'sessions' | 'clock'>,
  lifetimes: SessionLifetimes,
  session: Session,
): Promise<Session> {
  const now = clock.now();
  const unseenSince = new Date(now.getTime() - lifetimes.lastSeenIntervalMs);
  // Most requests: recorded less than an interval ago, so no write is even attempted.
  if (session.lastSeenAt.getTime() > unseenSince.getTime()) return session;
  // Conditional on lastSeenAt being as old as that, so that of concurrent requests only one writes.
  return (await sessions.recordSeen(session.id, now, unseenSince)) ? { ...session, lastSeenAt: now } : session;
}

/** The user's sessions that may still be used, newest first. */
export async function liveSessionsOf(
  { sessions, clock }: Pick<SessionLookup, 'sessions' | 'clock'>,
  lifetimes: SessionLifetimes,
  user: Pick<User, 'id' | 'passwordVersion'>,
): Promise<Session[]> {
  const now = clock.now();
  const all = await sessions.listForUser(user.id);
  return all.filter((session) => isSessionLive(session, user, lifetimes, now)).sort(newestFirst);
}

/** Newest first; sessions started at the same instant by handle, so that every listing is the same. */
function newestFirst(a: Session, b: Session): number {
  // Stryker disable next-line EqualityOperator: two sessions never share a handle, so < and <= order them alike.
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.handle < b.handle ? -1 : 1);
}

export interface SessionIssuing {
  readonly sessions: SessionRepository;
  readonly tokens: TokenGenerator;
  readonly clock: Clock;
}

/** Who a session is issued to, as the request tells: shown in the user's list of sessions. */
export interface SessionClient {
  readonly clientAddress: string;
  readonly userAgent?: string;
}

export interface IssuedSession {
  /** The raw session token: handed to the client once, never stored. */
  readonly sessionToken: string;
  readonly expiresAt: Date;
}

function truncatedUserAgent(userAgent: string | undefined): string | null {
  if (userAgent === undefined || userAgent.length === 0) return null;
  // Stryker disable next-line EqualityOperator: one of exactly the maximum comes out of the cut below unchanged.
  if (userAgent.length <= USER_AGENT_MAX_LENGTH) return userAgent;
  // By code points, so that a character outside the BMP is never cut in half; the slice first only bounds
  // the work (the maximum in code points lies within twice as many code units).
  // Stryker disable next-line MethodExpression: the slice only saves work, the result is the same.
  return Array.from(userAgent.slice(0, USER_AGENT_MAX_LENGTH * 2))
    .slice(0, USER_AGENT_MAX_LENGTH)
    .join('');
}

/**
 * Starts a session for `user` as read before its password was checked: the session is bound to that
 * password version, so a change that committed meanwhile leaves it stale rather than alive.
 */
export async function startSession(
  { sessions, tokens, clock }: SessionIssuing,
  settings: SessionSettings,
  user: Pick<User, 'id' | 'passwordVersion'>,
  client: SessionClient,
): Promise<IssuedSession> {
  const sessionToken = tokens.generate();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + settings.sessionTtlMs);
  await sessions.add(
    {
      id: digestToken(sessionToken),
      handle: tokens.generate(),
      userId: user.id,
      passwordVersion: user.passwordVersion,
      createdAt: now,
      expiresAt,
      lastSeenAt: now,
      userAgent: truncatedUserAgent(client.userAgent),
      address: client.clientAddress,
    },
    settings.maxSessionsPerUser,
  );
  return { sessionToken, expiresAt };
}
