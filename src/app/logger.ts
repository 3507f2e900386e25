import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';

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

/**
 * JSON lines on stdout (coloured, readable lines instead when stdout is a terminal), written
 * synchronously: nothing is lost when the process exits, and writes do not queue on libuv's thread
 * pool behind bcrypt. Call sites pass chosen fields only, never request bodies, cookies or tokens.
 */
export function createLogger(level: string, terminal = process.stdout.isTTY === true): Logger {
  const destination: DestinationStream = terminal
    ? pretty({ sync: true, destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' })
    : pino.destination({ dest: 1, sync: true });
  return pino({ level, base: { service: 'auth-service' }, serializers: { error: serializeError } }, destination);
}
