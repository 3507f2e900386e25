import { isSessionActive, type Session } from '../entities/session.js';
import type { User } from '../entities/user.js';
import { InvalidSessionError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { TokenGenerator } from '../ports/token-generator.js';
import type { UserRepository } from '../ports/user-repository.js';
import { digestToken } from './secret-token.js';

export interface SessionLookup {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly clock: Clock;
}

/**
 * The live session a token names, and its user; InvalidSessionError for anything else: no token, an
 * unknown or expired one, a user gone, or a session issued for a password that has changed since.
 */
export async function authenticate(
  { users, sessions, clock }: SessionLookup,
  sessionToken: string,
): Promise<{ session: Session; user: User }> {
  if (sessionToken.length === 0) throw new InvalidSessionError();
  const session = await sessions.findById(digestToken(sessionToken));
  if (session === null || !isSessionActive(session, clock.now())) throw new InvalidSessionError();
  const user = await users.findById(session.userId);
  // A password change deletes the user's sessions; the version check also refuses any session that
  // outlived that deletion: one created by a log-in whose comparison ran while the change committed,
  // a failure half-way, a replica that lagged.
  if (user === null || session.passwordVersion !== user.passwordVersion) throw new InvalidSessionError();
  return { session, user };
}

export interface SessionIssuing {
  readonly sessions: SessionRepository;
  readonly tokens: TokenGenerator;
  readonly clock: Clock;
}

export interface SessionSettings {
  readonly sessionTtlMs: number;
  /** A log-in beyond this many live sessions ends the user's oldest one. */
  readonly maxSessionsPerUser: number;
}

export interface IssuedSession {
  /** The raw session token: handed to the client once, never stored. */
  readonly sessionToken: string;
  readonly expiresAt: Date;
}

/**
 * Starts a session for `user` as read before its password was checked: the session is bound to that
 * password version, so a change that committed meanwhile leaves it stale rather than alive.
 */
export async function startSession(
  { sessions, tokens, clock }: SessionIssuing,
  settings: SessionSettings,
  user: Pick<User, 'id' | 'passwordVersion'>,
): Promise<IssuedSession> {
  const sessionToken = tokens.generate();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + settings.sessionTtlMs);
  await sessions.add(
    { id: digestToken(sessionToken), userId: user.id, passwordVersion: user.passwordVersion, createdAt: now, expiresAt },
    settings.maxSessionsPerUser,
  );
  return { sessionToken, expiresAt };
}
