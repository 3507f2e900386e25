import type { Clock } from '../ports/clock.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { UserRepository } from '../ports/user-repository.js';
import { authenticate, liveSessionsOf, recordUse, type SessionLifetimes } from '../rules/sessions.js';

export interface EndOtherSessionsInput {
  readonly sessionToken: string;
}

export interface EndOtherSessionsResult {
  /** How many live sessions this call ended. */
  readonly ended: number;
}

export interface EndOtherSessionsDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly clock: Clock;
}

/** The logged-in user signs out everywhere else: every other live session of theirs ends, this one stays. */
export class EndOtherSessions {
  constructor(
    private readonly deps: EndOtherSessionsDependencies,
    private readonly lifetimes: SessionLifetimes,
  ) {}

  async execute(input: EndOtherSessionsInput): Promise<EndOtherSessionsResult> {
    const { sessions } = this.deps;
    const { session: current, user } = await authenticate(this.deps, this.lifetimes, input.sessionToken);
    const others = (await liveSessionsOf(this.deps, this.lifetimes, user)).filter((session) => session.id !== current.id);
    // Each delete is counted only when it removed the session: a concurrent end of one of them is not counted twice.
    const removed = await Promise.all(others.map((session) => sessions.delete(session.id)));
    await recordUse(this.deps, this.lifetimes, current);
    return { ended: removed.filter(Boolean).length };
  }
}
