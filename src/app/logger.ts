import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** JSON lines on stdout. Log call sites pass chosen fields only, never request bodies or cookies. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'auth-service' } });
}
