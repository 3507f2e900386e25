import type { Session } from '../entities/session.js';

export interface SessionRepository {
  /**
   * Stores the session, then ends the user's oldest sessions beyond `maxPerUser` (oldest by createdAt).
   * Concurrent adds for one user may leave more than `maxPerUser` only while they are in flight: each
   * trims after its insert, so once they have all returned the user holds at most `maxPerUser`.
   */
  add(session: Session, maxPerUser: number): Promise<void>;

  /** The session with this id, expired or not: expiry is the domain's decision. */
  findById(id: string): Promise<Session | null>;

  /**
   * Removes the session; true when this call removed it, false when there was none (so that of two
   * concurrent deletes of one session, exactly one gets true).
   */
  delete(id: string): Promise<boolean>;

  /** Removes every session of the user; returns how many were removed. */
  deleteAllForUser(userId: string): Promise<number>;

  /** Every session of the user, live or not, in any order: which are live is the domain's decision. */
  listForUser(userId: string): Promise<Session[]>;

  /**
   * Sets the session's lastSeenAt to `seenAt` if, and only if, it is at or before `unseenSince`, as one
   * conditional write: of concurrent requests with one session, one writes and the others change nothing.
   * A session that is gone stays gone. Returns whether it wrote.
   */
  recordSeen(id: string, seenAt: Date, unseenSince: Date): Promise<boolean>;
}
