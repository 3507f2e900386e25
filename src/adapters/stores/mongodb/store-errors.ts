import {
  MongoClientClosedError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from 'mongodb';
import { StoreUnavailableError } from '../../../domain/errors.js';
import { withDeadline } from '../deadlines.js';

const DUPLICATE_KEY = 11000;

// Server error codes that mean "not now" rather than "wrong": time limits, elections, shutdowns.
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  64, // WriteConcernFailed (wtimeout)
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

function isTransient(error: unknown): boolean {
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    // An operation still waiting when the client is closed (a shutdown): not a bug of the request's.
    error instanceof MongoClientClosedError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError
  ) {
    return true;
  }
  if (error instanceof MongoWriteConcernError) return true;
  return error instanceof MongoServerError && typeof error.code === 'number' && TRANSIENT_CODES.has(error.code);
}

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/**
 * Runs one store operation, turning the driver's "database not reachable" errors into the domain's;
 * with `timeoutMs`, also one that does not answer in time (see withDeadline).
 */
export async function storeOperation<T>(operation: () => Promise<T>, timeoutMs?: number): Promise<T> {
  try {
    const running = operation();
    return await (timeoutMs === undefined ? running : withDeadline(running, timeoutMs));
  } catch (error) {
    if (isTransient(error)) throw new StoreUnavailableError({ cause: error });
    throw error;
  }
}
