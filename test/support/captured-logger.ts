import { Writable } from 'node:stream';
import { pino } from 'pino';
import { serializeError, type Logger } from '../../src/app/logger.js';

export interface CapturedLog {
  readonly logger: Logger;
  /** Every line logged so far, parsed. */
  lines(): Array<Record<string, unknown>>;
  /** Everything logged so far, as written. */
  text(): string;
}

/** A logger configured like the service's (same serializers), writing into memory. */
export function capturedLogger(level = 'trace'): CapturedLog {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const logger = pino({ level, base: { service: 'auth-service' }, serializers: { error: serializeError } }, sink);
  return {
    logger,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
