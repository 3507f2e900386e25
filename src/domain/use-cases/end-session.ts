import { SessionNotFoundError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { UserRepository } from '../ports/user-repository.js';
import { authenticate, liveSessionsOf, recordUse, type SessionLifetimes } from '../rules/sessions.js';

export interface EndSessionInput {
  readonly sessionToken: string;
  /** The public handle of the session to end, as ListSessions shows it. */
  readonly sessionId: string;
}

export interface EndSessionResult {
  /** Whether the session ended was the caller's own (its cookie is then worthless). */
  readonly wasCurrent: boolean;
}

export interface EndSessionDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly clock: Clock;
}

/**
 * The logged-in user ends one of their sessions, named by its handle (signing a lost device out).
 * SessionNotFoundError for a handle that is not one of the caller's live sessions, whether it is
 * someone else's, ended, or unknown: the same answer, so handles cannot be probed.
 */
export class EndSession {
  constructor(
    private readonly deps: EndSessionDependencies,
    private readonly lifetimes: SessionLifetimes,
  ) {}

  async execute(input: EndSessionInput): Promise<EndSessionResult> {
    const { session: current, user } = await authenticate(this.deps, this.lifetimes, input.sessionToken);
    // Looked up among the caller's own sessions only: another user's handle is never matched.
    const target = (await liveSessionsOf(this.deps, this.lifetimes, user)).find((session) => session.handle === input.sessionId);
    // The delete decides between concurrent ends of one session: the one that did not remove it gets 404.
    if (target === undefined || !(await this.deps.sessions.delete(target.id))) throw new SessionNotFoundError();
    // A success: the caller's session was used (a no-op when it is the one just ended).
    await recordUse(this.deps, this.lifetimes, current);
    return { wasCurrent: target.id === current.id };
  }
}
