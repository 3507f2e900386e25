import type { Pool } from 'pg';
import type { Session } from '../../../domain/entities/session.js';
import type { SessionRepository } from '../../../domain/ports/session-repository.js';
import { SESSION_COLUMNS, type SessionRow } from '../sql-rows.js';
import { rows } from './rows.js';
import { postgresOperation } from './store-errors.js';

export class PostgresSessionRepository implements SessionRepository {
  private readonly sessions: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.sessions = `"${schema}".sessions`;
  }

  async add(session: Session, maxPerUser: number): Promise<void> {
    const placeholders = SESSION_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    await postgresOperation(() =>
      this.pool.query(`INSERT INTO ${this.sessions} (${SESSION_COLUMNS.join(', ')}) VALUES (${placeholders})`, rows.sessionValues(session)),
    );
    // Trimmed after the insert has committed, by every add: the last trim to start sees every session
    // inserted before it and leaves the newest maxPerUser; an earlier one never removes one of those.
    await postgresOperation(() =>
      this.pool.query(
        `DELETE FROM ${this.sessions} WHERE id IN (
           SELECT id FROM ${this.sessions} WHERE user_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2
         )`,
        [session.userId, maxPerUser],
      ),
    );
  }

  async findById(id: string): Promise<Session | null> {
    const { rows: found } = await postgresOperation(() =>
      this.pool.query<SessionRow<Date>>(`SELECT * FROM ${this.sessions} WHERE id = $1`, [id]),
    );
    const row = found[0];
    return row === undefined ? null : rows.toSession(row);
  }

  async delete(id: string): Promise<boolean> {
    // The deleted count decides between concurrent log-outs with one token: only one removes it.
    const { rowCount } = await postgresOperation(() => this.pool.query(`DELETE FROM ${this.sessions} WHERE id = $1`, [id]));
    return rowCount === 1;
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const { rowCount } = await postgresOperation(() => this.pool.query(`DELETE FROM ${this.sessions} WHERE user_id = $1`, [userId]));
    return rowCount ?? 0;
  }
}
