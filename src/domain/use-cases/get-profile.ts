import type { Clock } from '../ports/clock.js';
import type { SessionRepository } from '../ports/session-repository.js';
import type { UserRepository } from '../ports/user-repository.js';
import { authenticate, recordUse, type SessionLifetimes } from '../rules/sessions.js';

export interface GetProfileInput {
  readonly sessionToken: string;
}

export interface Profile {
  readonly email: string;
  /** Whether the owner of the address has proved it (a verification or email-change token spent). */
  readonly emailVerified: boolean;
}

export interface GetProfileDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly clock: Clock;
}

/** Resolves a session token to the user it belongs to. */
export class GetProfile {
  constructor(
    private readonly deps: GetProfileDependencies,
    private readonly lifetimes: SessionLifetimes,
  ) {}

  async execute(input: GetProfileInput): Promise<Profile> {
    const { session, user } = await authenticate(this.deps, this.lifetimes, input.sessionToken);
    await recordUse(this.deps, this.lifetimes, session);
    return { email: user.email, emailVerified: user.emailVerifiedAt !== null };
  }
}
