import type { Pool } from 'pg';
import type { Session } from '../../../domain/entities/session.js';
import type { SessionRepository } from '../../../domain/ports/session-repository.js';
import { SESSION_COLUMNS, type SessionRow } from '../sql-rows.js';

// Named, never `*`: see the user repository.
const COLUMNS = SESSION_COLUMNS.join(', ');
import { rows } from './rows.js';
import { run, type Statement } from './statements.js';

export class PostgresSessionRepository implements SessionRepository {
  private readonly statements: Record<'insert' | 'trim' | 'byId' | 'delete' | 'deleteAllOfUser' | 'ofUser' | 'seen', Statement>;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    const sessions = `"${schema}".sessions`;
    this.statements = {
      insert: {
        name: 'sessions.insert',
        text: `INSERT INTO ${sessions} (${SESSION_COLUMNS.join(', ')}) VALUES (${SESSION_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
      },
      // The user's sessions beyond the newest `maxPerUser` (by creation, the id breaking ties).
      trim: {
        name: 'sessions.trim',
        text: `DELETE FROM ${sessions} WHERE id IN (
                 SELECT id FROM ${sessions} WHERE user_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2)`,
      },
      byId: { name: 'sessions.by-id', text: `SELECT ${COLUMNS} FROM ${sessions} WHERE id = $1` },
      delete: { name: 'sessions.delete', text: `DELETE FROM ${sessions} WHERE id = $1` },
      deleteAllOfUser: { name: 'sessions.delete-all-of-user', text: `DELETE FROM ${sessions} WHERE user_id = $1` },
      ofUser: { name: 'sessions.of-user', text: `SELECT ${COLUMNS} FROM ${sessions} WHERE user_id = $1` },
      // Conditional, so that of concurrent requests with one session only the first writes.
      seen: { name: 'sessions.seen', text: `UPDATE ${sessions} SET last_seen_at = $2 WHERE id = $1 AND last_seen_at <= $3` },
    };
  }

  async add(session: Session, maxPerUser: number): Promise<void> {
    await run(this.pool, this.statements.insert, rows.sessionValues(session));
    // Trimmed after the insert has committed, by every add: the last trim to start sees every session
    // inserted before it and leaves the newest maxPerUser; an earlier one never removes one of those.
    await run(this.pool, this.statements.trim, [session.userId, maxPerUser]);
  }

  async findById(id: string): Promise<Session | null> {
    const { rows: found } = await run<SessionRow<Date>>(this.pool, this.statements.byId, [id]);
    const row = found[0];
    return row === undefined ? null : rows.toSession(row);
  }

  async delete(id: string): Promise<boolean> {
    // The deleted count decides between concurrent log-outs with one token: only one removes it.
    const { rowCount } = await run(this.pool, this.statements.delete, [id]);
    return rowCount === 1;
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const { rowCount } = await run(this.pool, this.statements.deleteAllOfUser, [userId]);
    return rowCount ?? 0;
  }

  async listForUser(userId: string): Promise<Session[]> {
    const { rows: found } = await run<SessionRow<Date>>(this.pool, this.statements.ofUser, [userId]);
    return found.map((row) => rows.toSession(row));
  }

  async recordSeen(id: string, seenAt: Date, unseenSince: Date): Promise<boolean> {
    const { rowCount } = await run(this.pool, this.statements.seen, [id, seenAt, unseenSince]);
    return rowCount === 1;
  }
}
