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

// The stream each logger made here writes to. pino offers no public way to ask a logger for it, and the
// request line writer must write into the very same stream, so that its lines and pino's queue in one
// buffer, whole line after whole line, never interleaved.
const destinations = new WeakMap<Logger, DestinationStream>();

/**
 * The service's logger, writing to `destination`: the one home of its options (level, the `service`
 * binding, the error serializer). Call sites pass chosen fields only, never request bodies, cookies or tokens.
 */
export function loggerOver(destination: DestinationStream, level: string): Logger {
  const logger = pino({ level, base: { service: 'auth-service' }, serializers: { error: serializeError } }, destination);
  destinations.set(logger, destination);
  return logger;
}

/**
 * JSON lines on stdout, through pino's own destination, written synchronously in batches: writes do not
 * queue on libuv's thread pool behind bcrypt, and what is buffered is written out at exit, even at
 * process.exit(). On a terminal, readable coloured lines instead, unbuffered.
 */
export function createLogger(level: string, terminal = process.stdout.isTTY === true): Logger {
  if (terminal) {
    return loggerOver(pretty({ sync: true, destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }), level);
  }
  const stdout = pino.destination({ dest: 1, sync: true, minLength: BUFFER_BYTES, periodicFlush: FLUSH_EVERY_MS });
  process.on('exit', () => stdout.flushSync());
  return loggerOver(stdout, level);
}

/**
 * The request log: one line per request, exactly as `logger.info(entry, 'request')` writes it (same stream,
 * level, time, bindings and keys, in the same order), but built directly from its five known fields and
 * written to the logger's destination: pino's general-purpose serialisation would walk every key of every
 * request's entry, looking for serializers it does not have.
 * A logger not made by `loggerOver` (a test's, a child) gets its line from `logger.info` itself.
 */
export function requestLineWriter(logger: Logger): RequestLogger {
  const destination = destinations.get(logger);
  if (destination === undefined) return (entry) => logger.info(entry, 'request');
  // pino writes the bindings after the time. Taken once: nothing here calls setBindings on the service's logger.
  const bound = JSON.stringify(logger.bindings()).slice(1, -1);
  const bindings = bound === '' ? '' : `,${bound}`;
  const level = logger.levels.values['info'];
  return (entry) => {
    if (!logger.isLevelEnabled('info')) return;
    destination.write(
      `{"level":${level},"time":${Date.now()}${bindings},"requestId":${JSON.stringify(entry.requestId)}` +
        `,"method":${JSON.stringify(entry.method)},"route":${JSON.stringify(entry.route)}` +
        `,"status":${entry.status},"durationMs":${entry.durationMs},"msg":"request"}\n`,
    );
  };
}
