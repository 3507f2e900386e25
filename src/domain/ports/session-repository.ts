import type { Session } from '../entities/session.js';

export interface SessionRepository {
  add(session: Session): Promise<void>;

  /** The session with this id, expired or not: expiry is the domain's decision. */
  findById(id: string): Promise<Session | null>;

  /** Removes the session and returns what was removed, or null when there was none. */
  delete(id: string): Promise<Session | null>;

  /** Removes every session of the user; returns how many were removed. */
  deleteAllForUser(userId: string): Promise<number>;
}
