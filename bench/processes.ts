/**
 * Child processes of the benchmark: the service, the baseline servers, the MongoDB stand-in and the raw
 * bcrypt loops. Every child is registered here so that one call (or the process's exit) stops them all.
 *
 * Servers write their output to a file, not to a pipe: the service logs a line per request, and reading
 * those in the benchmark's process would take CPU from the load generator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** Flags of every Node child (the service and the baselines get the same). */
const NODE_FLAGS: readonly string[] = [];

const STOP_GRACE_MS = 5000;
const START_TIMEOUT_MS = 30_000;
const START_POLL_MS = 50;
const OUTPUT_KEPT_BYTES = 20_000;

const running = new Set<ChildProcess>();
let logDirectory: string | undefined;

interface Child {
  readonly name: string;
  readonly pid: number;
  /** The last part of what it wrote, stdout and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface Server extends Child {
  readonly url: string;
}

type Exit = [code: number | null, signal: NodeJS.Signals | null];

interface Tracked extends Child {
  readonly exited: Promise<Exit>;
}

function tail(file: string): string {
  try {
    const size = statSync(file).size;
    const length = Math.min(size, OUTPUT_KEPT_BYTES);
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8');
  } catch {
    return '';
  }
}

/** Spawns a child whose stdout and stderr go to a log file of its own; the file goes when it is stopped. */
function spawnLogged(name: string, command: string, args: readonly string[], env?: Record<string, string>): Tracked {
  logDirectory ??= mkdtempSync(path.join(os.tmpdir(), 'auth-bench-'));
  const logFile = path.join(logDirectory, `${name.replace(/[^\w.-]+/g, '_')}-${Date.now()}.log`);
  const fd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: ROOT, ...(env === undefined ? {} : { env }), stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  running.add(child);
  let spawnError = '';
  // 'error' (the binary could not be started) rejects once(); it counts as an exit without a code.
  const exited = (once(child, 'exit') as Promise<Exit>)
    .catch((error: unknown) => {
      spawnError = `\n${String(error)}`;
      return [null, null] satisfies Exit;
    })
    .finally(() => running.delete(child));
  return {
    name,
    pid: child.pid ?? -1,
    output: () => tail(logFile) + spawnError,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      await rm(logFile, { force: true });
    },
  };
}

/** Waits until `pattern` matches the child's output; rejects if it exits, times out or the signal aborts. */
async function waitForOutput(tracked: Tracked, pattern: RegExp, signal: AbortSignal): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void tracked.exited.then(() => (exited = true));
  const fail = async (reason: string): Promise<never> => {
    const output = tracked.output();
    await tracked.stop();
    throw new Error(`${tracked.name} ${reason}:\n${output}`);
  };
  for (;;) {
    const match = pattern.exec(tracked.output());
    if (match?.[1] !== undefined) return match[1];
    if (signal.aborted) return fail('start-up aborted');
    if (exited) return fail('exited before it was ready');
    if (Date.now() > deadline) return fail(`did not start within ${START_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, START_POLL_MS));
  }
}

/**
 * Starts a Node server script (the compiled service or a baseline) that logs a JSON line with
 * `"url":"http://…"` once it listens, and resolves with that URL.
 */
export async function startNodeServer(
  name: string,
  script: string,
  env: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<Server> {
  const tracked = spawnLogged(name, process.execPath, [...NODE_FLAGS, script], { ...env });
  const url = await waitForOutput(tracked, /"url":"(http:\/\/[^"]+)"/, signal);
  return { ...tracked, url };
}

/** Runs a Node script to completion and returns its stdout's last line (a JSON result). */
export async function runNodeScript(
  name: string,
  script: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<string> {
  const child = spawn(process.execPath, [...NODE_FLAGS, script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const stop = () => child.kill('SIGKILL');
  signal.addEventListener('abort', stop);
  const timer = setTimeout(stop, timeoutMs);
  try {
    const [code, exitSignal] = (await once(child, 'exit')) as Exit;
    if (signal.aborted) throw new Error(`${name} aborted`);
    if (code !== 0) throw new Error(`${name} failed (${code ?? exitSignal}):\n${stderr}`);
    return stdout.trim().split('\n').at(-1) ?? '';
  } finally {
    running.delete(child);
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
  }
}

/** The MongoDB wire-protocol stand-in the tests use, or undefined where its package is not installed. */
export function jongodbBinary(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@jongodb/memory-server-bin-linux-x64-gnu/package.json');
    return path.join(path.dirname(manifest), 'bin', 'jongodb');
  } catch {
    return undefined;
  }
}

export interface Jongodb extends Child {
  readonly uri: string;
}

/** Started as test/support/jongodb.ts does: port 0, then the JONGODB_URI line it prints when ready. */
export async function startJongodb(binary: string, signal: AbortSignal): Promise<Jongodb> {
  const tracked = spawnLogged('jongodb', binary, ['--host=127.0.0.1', '--port=0']);
  const uri = await waitForOutput(tracked, /JONGODB_URI=(\S+)/, signal);
  return { ...tracked, uri };
}

/** The resident set size of a process (VmRSS from /proc/<pid>/status), in bytes. */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (match?.[1] === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time a process has used so far, all its threads, user and system (utime + stime), in seconds. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 (state) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc/${pid}/stat`);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** CPU time the whole machine has been busy since boot (all cores, /proc/stat), in seconds. */
export async function machineBusySeconds(): Promise<number> {
  const [cpu = ''] = (await readFile('/proc/stat', 'utf8')).split('\n');
  // cpu user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
  const ticks = cpu.trim().split(/\s+/).slice(1, 9).map(Number);
  const [idle = 0, iowait = 0] = [ticks[3], ticks[4]];
  return (ticks.reduce((sum, value) => sum + value, 0) - idle - iowait) / CLOCK_TICKS_PER_SECOND;
}

/** CPU time of this process and of its children that have exited (utime, stime, cutime, cstime), in seconds. */
export async function ownCpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.slice(11, 15).reduce((sum, value) => sum + Number(value), 0) / CLOCK_TICKS_PER_SECOND;
}

/** Stops every child still running, gracefully first. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** Last resort, for the process's exit: nothing the benchmark started outlives it, nor its log files. */
export function killAllNow(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (logDirectory !== undefined) rmSync(logDirectory, { recursive: true, force: true });
}
