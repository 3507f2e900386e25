import { isSessionActive } from '../entities/session.js';
import { InvalidSessionError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { UserRepository } from '../ports/user-repository.js';
import { digestToken } from '../rules/secret-token.js';

export interface GetProfileInput {
  readonly sessionToken: string;
}

export interface Profile {
  readonly email: string;
}

export interface GetProfileDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly clock: Clock;
}

/** Resolves a session token to the user it belongs to. */
export class GetProfile {
  constructor(private readonly deps: GetProfileDependencies) {}

  async execute(input: GetProfileInput): Promise<Profile> {
    const { users, sessions, clock } = this.deps;
    if (input.sessionToken.length === 0) throw new InvalidSessionError();
    const session = await sessions.findById(digestToken(input.sessionToken));
    if (session === null || !isSessionActive(session, clock.now())) throw new InvalidSessionError();
    const user = await users.findById(session.userId);
    // A password reset deletes the user's sessions; the version check also refuses any session that
    // outlived that deletion: one created by a log-in whose comparison ran while the reset committed,
    // a failure half-way, a replica that lagged.
    if (user === null || session.passwordVersion !== user.passwordVersion) throw new InvalidSessionError();
    return { email: user.email };
  }
}
