import { isSessionActive } from '../entities/session.js';
import { InvalidSessionError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { SessionRepository } from '../ports/session-repository.js';
import { digestToken } from '../rules/secret-token.js';

export interface LogOutInput {
  readonly sessionToken: string;
}

/** Ends the one session the token names; the user's other sessions stay. */
export class LogOut {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly clock: Clock,
  ) {}

  async execute(input: LogOutInput): Promise<void> {
    if (input.sessionToken.length === 0) throw new InvalidSessionError();
    const id = digestToken(input.sessionToken);
    // Checked first, so that a refused log-out changes nothing, even an expired session's record.
    const session = await this.sessions.findById(id);
    if (session === null || !isSessionActive(session, this.clock.now())) throw new InvalidSessionError();
    // The delete decides between two concurrent log-outs with one token: only one gets the session.
    if (!(await this.sessions.delete(id))) throw new InvalidSessionError();
  }
}
