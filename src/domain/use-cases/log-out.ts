import { InvalidSessionError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { SessionRepository } from '../ports/session-repository.js';
import { digestToken } from '../rules/secret-token.js';
import { sessionEndsAt, type SessionLifetimes } from '../rules/sessions.js';

export interface LogOutInput {
  readonly sessionToken: string;
}

export interface LogOutDependencies {
  readonly sessions: SessionRepository;
  readonly clock: Clock;
}

/** Ends the one session the token names; the user's other sessions stay. */
export class LogOut {
  constructor(
    private readonly deps: LogOutDependencies,
    private readonly lifetimes: SessionLifetimes,
  ) {}

  async execute(input: LogOutInput): Promise<void> {
    const { sessions, clock } = this.deps;
    if (input.sessionToken.length === 0) throw new InvalidSessionError();
    const id = digestToken(input.sessionToken);
    // Checked first, so that a refused log-out changes nothing, even an expired session's record.
    const session = await sessions.findById(id);
    if (session === null || sessionEndsAt(session, this.lifetimes).getTime() <= clock.now().getTime()) throw new InvalidSessionError();
    // The delete decides between two concurrent log-outs with one token: only one gets the session.
    if (!(await sessions.delete(id))) throw new InvalidSessionError();
  }
}
