import pg from 'pg';
import { StoreUnavailableError } from '../../../domain/errors.js';

const UNIQUE_VIOLATION = '23505';

// SQLSTATEs that mean "not now" rather than "wrong": the connection, resources, a shutdown or a restart,
// a statement timeout, a lock or serialization conflict.
const TRANSIENT_CLASSES = ['08', '53', '57P'];
const TRANSIENT_CODES = new Set(['57014', '40001', '40P01', '55P03']);

// What the driver and Node throw when the server cannot be reached or went away (no SQLSTATE then).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Cannot use a pool after calling end on the pool',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  if (error instanceof pg.DatabaseError) {
    return typeof code === 'string' && (TRANSIENT_CODES.has(code) || TRANSIENT_CLASSES.some((prefix) => code.startsWith(prefix)));
  }
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (error instanceof AggregateError) return error.errors.some(isTransient);
  return DRIVER_MESSAGES.some((message) => error.message.startsWith(message));
}

/** The unique constraint `constraint` refused the write. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return error instanceof pg.DatabaseError && error.code === UNIQUE_VIOLATION && error.constraint === constraint;
}

/** Runs one store operation, turning the driver's "database not reachable" errors into the domain's. */
export async function postgresOperation<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isTransient(error)) throw new StoreUnavailableError({ cause: error });
    throw error;
  }
}
