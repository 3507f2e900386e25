import { expect } from 'chai';
import { requestLineWriter, serializeError } from '../../src/app/logger.js';
import { capturedLogger } from '../support/captured-logger.js';

describe('logger', () => {
  const entry = { requestId: '0b7c2a2e-5b8d-4c58-9d7e-2f1e8a1d3c4b', method: 'GET', route: '/profile', status: 200, durationMs: 1.3 };

  it('writes the request line exactly as pino would write the same entry', () => {
    const log = capturedLogger('info');
    requestLineWriter(log.logger)(entry);
    log.logger.info(entry, 'request');
    requestLineWriter(log.logger)({ ...entry, route: null, method: 'PATCH', status: 405 });
    const [fast, general, unmatched] = log.lines();
    const withoutTime = (line: Record<string, unknown> | undefined) => ({ ...line, time: undefined });
    expect(withoutTime(fast)).to.deep.equal(withoutTime(general));
    expect(Object.keys(fast ?? {})).to.deep.equal(Object.keys(general ?? {}));
    expect(fast?.time).to.be.a('number');
    expect(unmatched).to.include({ route: null, method: 'PATCH', status: 405, msg: 'request' });
  });

  it('writes no request line below its level (LOG_LEVEL=warn)', () => {
    const log = capturedLogger('warn');
    requestLineWriter(log.logger)(entry);
    expect(log.text()).to.equal('');
  });

  it('logs an error as its name, message, stack and cause only', () => {
    const error = Object.assign(new Error('boom', { cause: new TypeError('underneath') }), { password: 'hunter2' });
    expect(serializeError(error)).to.deep.equal({
      type: 'Error',
      message: 'boom',
      stack: error.stack,
      cause: { type: 'TypeError', message: 'underneath' },
    });
    expect(serializeError('a string')).to.deep.equal({ type: 'string' });
  });
});
