import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../../domain/errors.js';

// "Not now" rather than "wrong": another process holds the lock past busy_timeout, the disk is full or failing.
const TRANSIENT_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL'];

function isTransient(error: unknown): boolean {
  // A call still running into a store closed by a shutdown: not a bug of the request's (better-sqlite3 says
  // so with a TypeError).
  if (error instanceof TypeError && error.message === 'The database connection is not open') return true;
  return error instanceof Database.SqliteError && TRANSIENT_CODES.some((code) => error.code === code || error.code.startsWith(`${code}_`));
}

/** A unique index refused the write; `index` tells which (SQLite names the columns: "users.email"). */
export function isUniqueViolation(error: unknown, columns: string): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.endsWith(columns);
}

/** Runs one store operation (synchronous, as better-sqlite3 is), turning "cannot now" errors into the domain's. */
export function sqliteOperation<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    if (isTransient(error)) throw new StoreUnavailableError({ cause: error });
    throw error;
  }
}
