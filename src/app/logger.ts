import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import type { RequestLogger } from '../adapters/http/request-log.js';

export type Logger = PinoLogger;

/**
 * What is logged of an error, under the `error` key: name, message and stack, and the same of its cause,
 * never its other properties, which may carry request data (a driver's error can hold a document).
 */
export function serializeError(error: unknown): object {
  if (!(error instanceof Error)) return { type: typeof error };
  const cause = error.cause instanceof Error ? { type: error.cause.name, message: error.cause.message } : undefined;
  return { type: error.name, message: error.message, stack: error.stack, cause };
}

// A write per log line would cost more than the rest of a session check: lines are gathered up to
// this many bytes (or for this long) and written together.
const BUFFER_BYTES = 8 * 1024;
const FLUSH_EVERY_MS = 200;

/**
 * JSON lines on stdout, written synchronously in batches: writes do not queue on libuv's thread pool
 * behind bcrypt, and what is buffered is written out at exit, even at process.exit(). On a terminal,
 * readable coloured lines instead, unbuffered. Call sites pass chosen fields only, never request
 * bodies, cookies or tokens.
 */
export function createLogger(level: string, terminal = process.stdout.isTTY === true): Logger {
  const options = { level, base: { service: 'auth-service' }, serializers: { error: serializeError } };
  if (terminal) {
    const readable: DestinationStream = pretty({ sync: true, destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
    return pino(options, readable);
  }
  const stdout = pino.destination({ dest: 1, sync: true, minLength: BUFFER_BYTES, periodicFlush: FLUSH_EVERY_MS });
  process.on('exit', () => stdout.flushSync());
  return pino(options, stdout);
}

/**
 * The request log: one line per request, exactly as `logger.info(entry, 'request')` would write it
 * (same stream, level, time, bindings and keys), but built directly from its five known fields:
 * pino's general-purpose serialisation would cost more than the rest of a session check.
 */
export function requestLineWriter(logger: Logger): RequestLogger {
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[pino.symbols.streamSym] as DestinationStream;
  const bindings = internals[pino.symbols.chindingsSym] as string;
  return (entry) => {
    if (!logger.isLevelEnabled('info')) return;
    stream.write(
      `{"level":30,"time":${Date.now()}${bindings},"requestId":${JSON.stringify(entry.requestId)}` +
        `,"method":${JSON.stringify(entry.method)},"route":${JSON.stringify(entry.route)}` +
        `,"status":${entry.status},"durationMs":${entry.durationMs},"msg":"request"}\n`,
    );
  };
}
