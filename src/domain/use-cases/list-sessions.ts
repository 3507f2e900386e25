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
    return sessions.map((session) => {
      // This request's own use shows, whichever of a concurrent request's write and this one's the listing read.
      const seen = session.id === current.id ? current : session;
      return {
        id: seen.handle,
        createdAt: seen.createdAt,
        lastSeenAt: seen.lastSeenAt,
        expiresAt: sessionEndsAt(seen, this.lifetimes),
        current: seen.id === current.id,
        userAgent: seen.userAgent,
        address: seen.address,
      };
    });
  }
}
