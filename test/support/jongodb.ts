import { createRequire } from 'node:module';
import path from 'node:path';
import { spawnChild } from './child-process.js';

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
  const jongodb = spawnChild(binary, ['--host=127.0.0.1', `--port=${port}`], { name: 'jongodb', env: process.env });
  let uri: string;
  try {
    uri = await jongodb.waitFor(/JONGODB_URI=(\S+)/, 20_000);
  } catch (error) {
    await jongodb.kill();
    throw error;
  }
  return {
    uri,
    port: Number(new URL(uri).port),
    stop: async () => {
      const timer = setTimeout(() => void jongodb.kill(), 5000);
      await jongodb.stop('SIGTERM');
      clearTimeout(timer);
    },
  };
}
