import type { Session } from '../../../domain/entities/session.js';
import type { SessionRepository } from '../../../domain/ports/session-repository.js';

// Bounds the work one add() may do on behalf of the sweep, so no request pays for a long idle period.
const MAX_EVICTIONS_PER_ADD = 1000;

export class InMemorySessionRepository implements SessionRepository {
  // A Map iterates in insertion order, and every session gets the same lifetime, so the oldest
  // entries are the first to expire: the front of the map plays the part of a TTL index.
  private readonly byId = new Map<string, Session>();
  // Secondary index so that ending all of a user's sessions does not scan every session.
  private readonly idsByUser = new Map<string, Set<string>>();

  async add(session: Session, maxPerUser: number): Promise<void> {
    this.evictExpired(session.createdAt);
    // Frozen, so that it can be handed out as it is: no caller can change what is stored.
    this.byId.set(session.id, Object.freeze({ ...session }));
    let ids = this.idsByUser.get(session.userId);
    if (ids === undefined) {
      ids = new Set();
      this.idsByUser.set(session.userId, ids);
    }
    ids.add(session.id);
    while (ids.size > maxPerUser && this.removeOldestOf(ids));
  }

  async findById(id: string): Promise<Session | null> {
    return this.byId.get(id) ?? null;
  }

  async delete(id: string): Promise<boolean> {
    const session = this.byId.get(id);
    if (session === undefined) return false;
    this.remove(session);
    return true;
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const ids = this.idsByUser.get(userId);
    if (ids === undefined) return 0;
    for (const id of ids) this.byId.delete(id);
    this.idsByUser.delete(userId);
    return ids.size;
  }

  async listForUser(userId: string): Promise<Session[]> {
    return [...(this.idsByUser.get(userId) ?? [])].flatMap((id) => this.byId.get(id) ?? []);
  }

  async recordSeen(id: string, seenAt: Date, unseenSince: Date): Promise<boolean> {
    const session = this.byId.get(id);
    if (session === undefined || session.lastSeenAt.getTime() > unseenSince.getTime()) return false;
    this.byId.set(id, Object.freeze({ ...session, lastSeenAt: seenAt }));
    return true;
  }

  private evictExpired(now: Date): void {
    let evicted = 0;
    for (const session of this.byId.values()) {
      if (evicted === MAX_EVICTIONS_PER_ADD || session.expiresAt.getTime() > now.getTime()) return;
      this.remove(session);
      evicted += 1;
    }
  }

  /** Among a user's sessions (at most the cap plus one), ends the one created first. */
  private removeOldestOf(ids: ReadonlySet<string>): boolean {
    let oldest: Session | undefined;
    for (const id of ids) {
      const session = this.byId.get(id);
      if (session !== undefined && (oldest === undefined || session.createdAt < oldest.createdAt)) oldest = session;
    }
    if (oldest === undefined) return false;
    this.remove(oldest);
    return true;
  }

  private remove(session: Session): void {
    this.byId.delete(session.id);
    const ids = this.idsByUser.get(session.userId);
    ids?.delete(session.id);
    if (ids?.size === 0) this.idsByUser.delete(session.userId);
  }
}
