import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { TEST_ENV } from './test-server.js';

/**
 * How tests run other programs: the service's real entry point, `npm start`, the MongoDB stand-in,
 * openssl. One way to start a process, collect what it writes and wait for it, so that every test
 * that does says the same thing when the process does not do what it should.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

export function parseLogLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // A line cut short (the process is still writing it) or not a log line.
    }
  }
  return lines;
}

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

export interface ChildOptions {
  /** What the process is called in failure messages. */
  readonly name: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** A process group of its own, so that `killProcessGroup` reaches whatever it starts. */
  readonly detached?: boolean;
}

export interface RunningChild {
  readonly child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  /** What it wrote so far to stderr alone. */
  stderr(): string;
  /** The JSON log lines written so far (other lines are left out). */
  logLines(): LogLine[];
  /** Capture group 1 of the first match in its output, once written; rejects if it exits first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code and signal; rejects after timeoutMs. */
  exit(timeoutMs: number): Promise<[number | null, NodeJS.Signals | null]>;
  /** Resolves once it has exited and nothing (a child of its own neither) holds its stdout or stderr open. */
  closed(timeoutMs: number): Promise<void>;
  /** Sends the signal unless it has exited, and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL unless it has already exited: for after hooks, whatever a test left behind. */
  kill(): Promise<void>;
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export function spawnChild(command: string, args: readonly string[], options: ChildOptions): RunningChild {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached,
  });
  let output = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    stderr += chunk;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const closed = once(child, 'close');
  closed.catch(() => undefined); // a spawn error rejects `exited` too, and fails there
  exited.catch(() => undefined); // reported by whichever wait is made on it

  return {
    child,
    output: () => output,
    stderr: () => stderr,
    logLines: () => parseLogLines(output),
    waitFor: (pattern, timeoutMs) =>
      within(
        new Promise<string>((resolve, reject) => {
          const look = (): void => {
            const match = pattern.exec(output);
            if (match?.[1] === undefined) return;
            child.stdout.off('data', look);
            child.stderr.off('data', look);
            resolve(match[1]);
          };
          child.stdout.on('data', look);
          child.stderr.on('data', look);
          // What came before the call counts too: the line may already be there, with nothing after it.
          look();
          exited.then(
            ([code, signal]) => reject(new Error(`${options.name} exited (${code ?? signal}) before it was ready:\n${output}`)),
            reject,
          );
        }),
        timeoutMs,
        () => `${options.name} was not ready within ${timeoutMs} ms:\n${output}`,
      ),
    exit: (timeoutMs) => within(exited, timeoutMs, () => `${options.name} did not exit within ${timeoutMs} ms:\n${output}`),
    closed: async (timeoutMs) => {
      await within(closed, timeoutMs, () => `${options.name} exited, but something still holds its output open:\n${output}`);
    },
    stop: async (signal = 'SIGTERM') => {
      if (running(child)) child.kill(signal);
      const [code] = await exited;
      return code;
    },
    kill: async () => {
      if (!running(child)) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Finished {
  readonly code: number | null;
  /** stdout and stderr. */
  readonly output: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a program to completion (SIGKILL after timeoutMs); rejects only when it cannot be started. */
export async function runToExit(command: string, args: readonly string[], options: ChildOptions, timeoutMs = 30_000): Promise<Finished> {
  const started = Date.now();
  const program = spawnChild(command, args, options);
  const timer = setTimeout(() => program.child.kill('SIGKILL'), timeoutMs);
  try {
    const [code] = (await once(program.child, 'exit')) as [number | null];
    return { code, output: program.output(), stderr: program.stderr(), ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILL to a detached child's process group: it, and whatever it started, even re-parented after its exit. */
export async function killProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const exited = running(child) ? once(child, 'exit') : Promise.resolve();
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  await exited;
}

// ---------------------------------------------------------------------------------------------
// The service.

/** Only PATH from the environment the tests run in, so that a variable set there cannot leak into the service. */
const serviceEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  ...TEST_ENV,
  HOST: '127.0.0.1',
  PORT: '0',
  ...env,
});
const SERVICE_START_TIMEOUT_MS = 15_000;
const URL_LINE = /"url":"(http:\/\/[^"]+)"/;

export interface ServiceProcess extends RunningChild {
  readonly url: string;
  /** Resolves with the exit code once the process has exited; rejects after timeoutMs. */
  exitCode(timeoutMs: number): Promise<number | null>;
}

export interface ServiceProcessOptions {
  /** Modules loaded with `node --import` before the entry point (test fixtures), relative to the repository. */
  readonly preload?: readonly string[];
}

/** Runs the real entry point (src/app/main.ts) as a child process, on 127.0.0.1 and a free port. */
export async function startServiceProcess(env: Record<string, string> = {}, options: ServiceProcessOptions = {}): Promise<ServiceProcess> {
  const preload = (options.preload ?? []).flatMap((module) => ['--import', `./${module}`]);
  const service = spawnChild(process.execPath, ['--import', 'tsx', ...preload, 'src/app/main.ts'], {
    name: 'service',
    env: serviceEnv({ LOG_LEVEL: 'info', ...env }),
  });
  let url: string;
  try {
    url = await service.waitFor(URL_LINE, SERVICE_START_TIMEOUT_MS);
  } catch (error) {
    await service.kill();
    throw error;
  }
  return { ...service, url, exitCode: async (timeoutMs) => (await service.exit(timeoutMs))[0] };
}

/** Runs the entry point to completion (for start-up failures) and returns its exit code and output. */
export function runServiceToExit(env: Record<string, string>): Promise<Finished> {
  return runToExit(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], { name: 'service', env: serviceEnv(env) });
}

// ---------------------------------------------------------------------------------------------
// npm start.

/** `npm start` builds first (the prestart script): a few seconds, more on a cold or busy machine. */
const NPM_START_TIMEOUT_MS = 45_000;
const LISTENING_LINE = /"msg":"auth service listening on (http:\/\/[^"]+)"/;

/**
 * Runs the real `npm start` (prestart build included) and waits for the server's "listening" line.
 * Detached: npm gets a process group of its own, only so that `killProcessGroup` can clean up after a
 * failure; `spawned` hears of the process before the wait, so that the caller can, even when it does not start.
 * `env` is merged last, over the defaults (STORE=memory among them).
 */
export async function startNpm(
  spawned: (child: ChildProcess) => void,
  env: Record<string, string> = {},
): Promise<RunningChild & { readonly url: string }> {
  const npm = spawnChild('npm', ['start'], {
    name: 'npm start',
    env: { ...process.env, ...TEST_ENV, STORE: 'memory', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    detached: true,
  });
  spawned(npm.child);
  return { ...npm, url: await npm.waitFor(LISTENING_LINE, NPM_START_TIMEOUT_MS) };
}
