import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { pino } from 'pino';
import { loggerOver, requestLineWriter, serializeError } from '../../src/app/logger.js';
import { capturedLogger } from '../support/captured-logger.js';

/** A destination that keeps each write apart, to see what one write carries. */
function recordingDestination(): { readonly stream: Writable; readonly writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, writes };
}

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

  it('builds the request line itself for the service’s logger, without pino’s serialisation', () => {
    const log = capturedLogger('info');
    const calls: unknown[] = [];
    log.logger.info = (...args: unknown[]) => calls.push(args);
    requestLineWriter(log.logger)(entry);
    expect(calls).to.deep.equal([]);
    expect(log.lines()).to.have.length(1);
  });

  it('writes the request line through pino for a logger made elsewhere, such as a child', () => {
    const log = capturedLogger('info');
    requestLineWriter(log.logger.child({ part: 'test' }))(entry);
    const { stream, writes } = recordingDestination();
    requestLineWriter(pino({ base: null }, stream))(entry);
    expect(log.lines()[0]).to.include({ ...entry, part: 'test', service: 'auth-service', msg: 'request' });
    expect(JSON.parse(writes[0] ?? '')).to.include({ ...entry, level: 30, msg: 'request' });
  });

  it('writes every line, pino’s and the request writer’s, as one whole write to the same destination', () => {
    const { stream, writes } = recordingDestination();
    const logger = loggerOver(stream, 'info');
    const writeRequestLine = requestLineWriter(logger);
    logger.info({ url: 'http://127.0.0.1:3000' }, 'listening');
    writeRequestLine(entry);
    logger.warn('slow store');
    writeRequestLine({ ...entry, status: 403 });
    expect(writes.map((line) => (JSON.parse(line) as { msg: string }).msg)).to.deep.equal([
      'listening',
      'request',
      'slow store',
      'request',
    ]);
    for (const line of writes) expect(line.indexOf('\n'), line).to.equal(line.length - 1);
  });

  it('writes no request line below its level (LOG_LEVEL=warn), even when the level is raised later', () => {
    const log = capturedLogger('warn');
    requestLineWriter(log.logger)(entry);
    expect(log.text()).to.equal('');
    const raised = capturedLogger('info');
    const writeRequestLine = requestLineWriter(raised.logger);
    raised.logger.level = 'error';
    writeRequestLine(entry);
    expect(raised.text()).to.equal('');
  });

  it('on a terminal, writes readable lines, the request line included', function () {
    this.timeout(20_000);
    const logger = fileURLToPath(new URL('../../src/app/logger.ts', import.meta.url));
    const script = [
      `import { createLogger, requestLineWriter } from ${JSON.stringify(logger)};`,
      `const logger = createLogger('info', true);`,
      `logger.info('listening');`,
      `requestLineWriter(logger)(${JSON.stringify(entry)});`,
    ].join('\n');
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    expect(output)
      .to.match(/INFO.*: listening\n/)
      .and.to.match(/INFO.*: request\n/);
    expect(output).to.contain(`requestId: "${entry.requestId}"`).and.to.contain('route: "/profile"');
    expect(output).not.to.contain('{"level"');
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
