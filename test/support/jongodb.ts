import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';

export const JONGODB_PACKAGE = '@jongodb/memory-server-bin-linux-x64-gnu';

/** The stand-in's binary, or undefined where its package is not installed (it ships for Linux x64 only). */
export function jongodbBinary(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve(`${JONGODB_PACKAGE}/package.json`);
    return path.join(path.dirname(manifest), 'bin', 'jongodb');
  } catch {
    return undefined;
  }
}

export interface Jongodb {
  readonly uri: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts the in-process MongoDB-wire-protocol stand-in on 127.0.0.1 (port 0: a free one) and waits for
 * the JONGODB_URI line it prints when ready.
 */
export async function startJongodb(binary: string, port = 0): Promise<Jongodb> {
  const child: ChildProcess = spawn(binary, ['--host=127.0.0.1', `--port=${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = once(child, 'exit');
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`jongodb did not start:\n${output}`)), 20_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /JONGODB_URI=(\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`jongodb exited before it was ready:\n${output}`));
    });
  });
  return {
    uri,
    port: Number(new URL(uri).port),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
