import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { killProcessGroup, parseLogLines, startNpm } from '../support/child-process.js';
import { connectionRefused, request } from '../support/http-client.js';

const EXIT_TIMEOUT_MS = 5_000;

/** Every npm started by a test, for the after hook. */
const started: ChildProcess[] = [];

// What a supervisor or a container runtime does to the README's start command: SIGTERM to the process it
// started (npm), and to nothing else. npm forwards it to its script's child, which must be the node server
// itself (the start script execs node): a shell in between would die of the signal and leave the server
// running, re-parented, with npm gone.
describe('npm start (the README quick start command)', function () {
  this.timeout(60_000);

  afterEach(async () => {
    await Promise.all(started.splice(0).map(killProcessGroup));
  });

  it('stops the node server gracefully on a SIGTERM sent to npm alone, and exits 0', async () => {
    const npm = await startNpm((child) => started.push(child));
    expect(npm.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(npm.url, 'GET', '/healthz');
    expect(health.status).to.equal(200);

    process.kill(npm.child.pid!, 'SIGTERM'); // npm's pid only, not its process group
    const [code, signal] = await npm.exit(EXIT_TIMEOUT_MS);
    await npm.closed(EXIT_TIMEOUT_MS);

    expect({ code, signal }, npm.output()).to.deep.equal({ code: 0, signal: null });
    const messages = parseLogLines(npm.output()).map((line) => line.msg);
    const received = messages.indexOf('received SIGTERM');
    expect(received, npm.output()).to.be.at.least(0);
    expect(messages.indexOf('stopped', received), npm.output()).to.be.above(received);
    expect(await connectionRefused(npm.url), `${npm.url} still accepts connections after npm exited`).to.be.true;
  });
});
