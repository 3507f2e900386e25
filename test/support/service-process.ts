import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';
import net from 'node:net';
import { TEST_ENV } from './test-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  /** The JSON log lines written so far (other lines are left out). */
  logLines(): LogLine[];
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has exited; rejects after timeoutMs. */
  exitCode(timeoutMs: number): Promise<number | null>;
  /** SIGKILL unless it has already exited: for after hooks, whatever a test left behind. */
  kill(): Promise<void>;
}

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

export interface ServiceProcessOptions {
  /** Modules loaded with `node --import` before the entry point (test fixtures), relative to the repository. */
  readonly preload?: readonly string[];
}

/** Runs the real entry point (src/app/main.ts) as a child process, on 127.0.0.1 and a free port. */
export async function startServiceProcess(
  env: Record<string, string> = {},
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const preload = (options.preload ?? []).flatMap((module) => ['--import', `./${module}`]);
  const child = spawn(process.execPath, ['--import', 'tsx', ...preload, 'src/app/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...TEST_ENV, LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service did not start in time:\n${output}`));
    }, 15_000);
    const look = () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.stdout.off('data', look);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`service exited before listening:\n${output}`));
    });
  });

  const exitCode = async (timeoutMs: number): Promise<number | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`service did not exit within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    });
    try {
      const [code] = await Promise.race([exited, timeout]);
      return code;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    url,
    child,
    output: () => output,
    logLines: () => parseLogLines(output),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code;
    },
    exitCode,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs the entry point to completion (for start-up failures) and returns its exit code and output. */
export async function runServiceToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...TEST_ENV, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output, stderr, ms: Date.now() - started };
}

/** Whether a new TCP connection to the service is refused (ECONNREFUSED) rather than accepted. */
export async function connectionRefused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  try {
    await once(socket, 'connect');
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return true;
    throw error;
  } finally {
    socket.destroy();
  }
}
