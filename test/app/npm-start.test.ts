import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { expect } from 'chai';
import { connectionRefused, parseLogLines } from '../support/service-process.js';
import { TEST_ENV } from '../support/test-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LISTENING = /"msg":"auth service listening on (http:\/\/[^"]+)"/;
/** `npm start` builds first (the prestart script): a few seconds, more on a cold or busy machine. */
const START_TIMEOUT_MS = 45_000;
const EXIT_TIMEOUT_MS = 5_000;


/** Resolves as the promise does, or rejects with `what()` after timeoutMs. */
async function within<T>(promise: Promise<T>, timeoutMs: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what())), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Every npm started by a test, for the after hook. */
const started: ChildProcess[] = [];

interface NpmStart {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything npm and its scripts wrote so far, stdout and stderr. */
  output(): string;
  /** Resolves with npm's exit code and signal; rejects after timeoutMs. */
  exit(timeoutMs: number): Promise<[number | null, NodeJS.Signals | null]>;
  /** Resolves once npm has exited and nothing (the server neither) holds its stdout or stderr open. */
  closed(timeoutMs: number): Promise<void>;
}

/**
 * Runs the real `npm start` (prestart build included) and waits for the server's "listening" line.
 * `detached` gives npm a process group of its own, only so that `killGroup` can clean up after a
 * failure: the tests signal npm's pid alone.
 */
async function startNpm(): Promise<NpmStart> {
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, ...TEST_ENV, STORE: 'memory', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const closed = once(child, 'close');
  closed.catch(() => undefined); // a spawn error rejects `exited` too, and fails there

  const url = await within(
    new Promise<string>((resolve, reject) => {
      const look = () => {
        const match = LISTENING.exec(output);
        if (match?.[1] === undefined) return;
        child.stdout.off('data', look);
        resolve(match[1]);
      };
      child.stdout.on('data', look);
      exited.then(([code, signal]) => reject(new Error(`npm start exited (${code ?? signal}) before listening:\n${output}`)), reject);
    }),
    START_TIMEOUT_MS,
    () => `npm start did not listen within ${START_TIMEOUT_MS} ms:\n${output}`,
  );
  return {
    child,
    url,
    output: () => output,
    exit: (timeoutMs) => within(exited, timeoutMs, () => `npm did not exit within ${timeoutMs} ms:\n${output}`),
    closed: async (timeoutMs) => {
      await within(closed, timeoutMs, () => `npm exited, but something (the server?) still holds its output open:\n${output}`);
    },
  };
}

/** SIGKILL to npm's process group: npm, and whatever it started, even re-parented after npm's exit. */
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const exited = running(child) ? once(child, 'exit') : Promise.resolve();
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  await exited;
}

// What a supervisor or a container runtime does to the README's start command: SIGTERM to the process it
// started (npm), and to nothing else. npm forwards it to its script's child, which must be the node server
// itself (the start script execs node): a shell in between would die of the signal and leave the server
// running, re-parented, with npm gone.
describe('npm start (the README quick start command)', function () {
  this.timeout(60_000);

  afterEach(async () => {
    await Promise.all(started.splice(0).map(killGroup));
  });

  it('stops the node server gracefully on a SIGTERM sent to npm alone, and exits 0', async () => {
    const npm = await startNpm();
    expect(npm.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${npm.url}/healthz`);
    await health.body?.cancel();
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
