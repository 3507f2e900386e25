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
    // Delete-and-return in one step: of two concurrent log-outs with one token, only one succeeds.
    const ended = await this.sessions.delete(digestToken(input.sessionToken));
    if (ended === null || !isSessionActive(ended, this.clock.now())) throw new InvalidSessionError();
  }
}
