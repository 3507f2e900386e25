import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { killProcessGroup, parseLogLines, startNpm } from '../support/child-process.js';
import { connectionRefused, request } from '../support/http-client.js';
import { uniqueSqlitePath } from '../support/test-sqlite.js';

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

  it('serves from SQLite by default, and an account registered before a restart logs in after it', async () => {
    const sqlitePath = uniqueSqlitePath('npm start');
    // STORE empty counts as unset: the default store, on a file of the test's own.
    const env = { STORE: '', SQLITE_PATH: sqlitePath };
    const form = { email: 'npm-start@example.com', password: 'npm start password' };

    const first = await startNpm((child) => started.push(child), env);
    const effective = parseLogLines(first.output()).find((line) => line.msg === 'effective configuration');
    expect(effective?.config, first.output()).to.deep.include({ store: 'sqlite' });
    expect((effective?.config as { sqlite?: { path?: string } }).sqlite?.path, first.output()).to.equal(sqlitePath);
    const registered = await request(first.url, 'POST', '/users', { form });
    expect(registered.status).to.equal(200);
    process.kill(first.child.pid!, 'SIGTERM');
    expect(await first.exit(EXIT_TIMEOUT_MS), first.output()).to.deep.equal([0, null]);
    await first.closed(EXIT_TIMEOUT_MS);

    const second = await startNpm((child) => started.push(child), env);
    const logIn = await request(second.url, 'POST', '/sessions', { form });
    expect(logIn.status, second.output()).to.equal(200);
    process.kill(second.child.pid!, 'SIGTERM');
    expect(await second.exit(EXIT_TIMEOUT_MS), second.output()).to.deep.equal([0, null]);
  });
});
