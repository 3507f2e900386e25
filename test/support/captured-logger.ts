import { Writable } from 'node:stream';
import { loggerOver, type Logger } from '../../src/app/logger.js';

export interface CapturedLog {
  readonly logger: Logger;
  /** Every line logged so far, parsed. */
  lines(): Array<Record<string, unknown>>;
  /** Everything logged so far, as written. */
  text(): string;
}

/** The service's logger (`loggerOver`: same options, same request line writer), writing into memory. */
export function capturedLogger(level = 'trace'): CapturedLog {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const logger = loggerOver(sink, level);
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
