import type { Clock } from '../ports/clock.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { UserRepository } from '../ports/user-repository.js';
import { authenticate, liveSessionsOf, recordUse, sessionEndsAt, type SessionLifetimes } from '../rules/sessions.js';

export interface ListSessionsInput {
  readonly sessionToken: string;
}

/** One of the user's sessions as the user may see it: never its token or the token's digest. */
export interface SessionView {
  /** The session's public handle: names it to EndSession, gives no access. */
  readonly id: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** When it ends if it is not used again: the absolute end or the idle timeout, whichever is first. */
  readonly expiresAt: Date;
  /** Whether it is the session of this request. */
  readonly current: boolean;
  readonly userAgent: string | null;
  readonly address: string | null;
}

export interface ListSessionsDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly clock: Clock;
}

/** The logged-in user's live sessions, newest first, so they can see where they are signed in. */
export class ListSessions {
  constructor(
    private readonly deps: ListSessionsDependencies,
    private readonly lifetimes: SessionLifetimes,
  ) {}

  async execute(input: ListSessionsInput): Promise<SessionView[]> {
    const authenticated = await authenticate(this.deps, this.lifetimes, input.sessionToken);
    const current = await recordUse(this.deps, this.lifetimes, authenticated.session);
    const sessions = await liveSessionsOf(this.deps, this.lifetimes, authenticated.user);
    // Read after this request's use was recorded: the current session shows it.
    return sessions.map((session) => ({
      id: session.handle,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      expiresAt: sessionEndsAt(session, this.lifetimes),
      current: session.id === current.id,
      userAgent: session.userAgent,
      address: session.address,
    }));
  }
}
