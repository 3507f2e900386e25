import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { Session } from '../../../domain/entities/session.js';
import type { SessionRepository } from '../../../domain/ports/session-repository.js';
import { SESSION_COLUMNS, type SessionRow } from '../sql-rows.js';

// Named, never `*`: see the user repository.
const COLUMNS = SESSION_COLUMNS.join(', ');
import { rows } from './rows.js';
import { sqliteOperation } from './store-errors.js';

export class SqliteSessionRepository implements SessionRepository {
  private readonly byId: Statement<[string], SessionRow<number>>;
  private readonly deleteOne: Statement<[string]>;
  private readonly deleteAllOfUser: Statement<[string]>;
  private readonly ofUser: Statement<[string], SessionRow<number>>;
  private readonly seen: Statement<[number, string, number]>;
  private readonly addAndTrim: Transaction<(session: Session, maxPerUser: number) => void>;

  constructor(db: Database) {
    const insert = db.prepare(`INSERT INTO sessions (${SESSION_COLUMNS.join(', ')}) VALUES (${SESSION_COLUMNS.map(() => '?').join(', ')})`);
    // The user's sessions beyond the newest `maxPerUser` (by creation, the id breaking ties).
    const trim = db.prepare<[string, number, string]>(`
      DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?
      ) AND user_id = ?`);
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE id = ?`);
    this.deleteOne = db.prepare('DELETE FROM sessions WHERE id = ?');
    this.deleteAllOfUser = db.prepare('DELETE FROM sessions WHERE user_id = ?');
    this.ofUser = db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE user_id = ?`);
    // Conditional, so that of concurrent requests with one session only the first writes.
    this.seen = db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at <= ?');
    // One transaction: another process on the file sees the insert and the trim together, or neither.
    this.addAndTrim = db.transaction((session: Session, maxPerUser: number) => {
      insert.run(...rows.sessionValues(session));
      trim.run(session.userId, maxPerUser, session.userId);
    });
  }

  async add(session: Session, maxPerUser: number): Promise<void> {
    sqliteOperation(() => this.addAndTrim.immediate(session, maxPerUser));
  }

  async findById(id: string): Promise<Session | null> {
    const row = sqliteOperation(() => this.byId.get(id));
    return row === undefined ? null : rows.toSession(row);
  }

  async delete(id: string): Promise<boolean> {
    return sqliteOperation(() => this.deleteOne.run(id)).changes === 1;
  }

  async deleteAllForUser(userId: string): Promise<number> {
    return sqliteOperation(() => this.deleteAllOfUser.run(userId)).changes;
  }

  async listForUser(userId: string): Promise<Session[]> {
    return sqliteOperation(() => this.ofUser.all(userId)).map((row) => rows.toSession(row));
  }

  async recordSeen(id: string, seenAt: Date, unseenSince: Date): Promise<boolean> {
    return sqliteOperation(() => this.seen.run(seenAt.getTime(), id, unseenSince.getTime())).changes === 1;
  }
}
