import type { Pool, QueryResult, QueryResultRow } from 'pg';
import { postgresOperation } from './store-errors.js';

/**
 * A statement the server prepares once per connection (a named prepared statement), so that the session
 * check, run on every request, is not parsed and planned every time. The name is the statement's own in
 * its pool: one pool serves one schema, so a name always means the same text.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** Runs a prepared statement on the pool, turning "database not reachable" errors into the domain's. */
export function run<Row extends QueryResultRow = QueryResultRow>(
  pool: Pool,
  statement: Statement,
  values: unknown[],
): Promise<QueryResult<Row>> {
  return postgresOperation(() => pool.query<Row>({ name: statement.name, text: statement.text, values }));
}
