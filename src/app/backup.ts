import { existsSync } from 'node:fs';
import { backupSqliteDatabase } from '../adapters/stores/sqlite/sqlite-store.js';
import { ConfigError, loadConfig } from './config.js';

/**
 * `npm run backup -- <destination>`: copies the SQLite database the service uses (SQLITE_PATH, read from
 * the environment as the service reads it) to a new file, with SQLite's online backup: safe while the
 * service runs, and the copy is one consistent state of the database.
 */

const USAGE = 'usage: npm run backup -- <destination file>';

function refuse(message: string): never {
  process.stderr.write(`auth-service backup: ${message}\n`);
  process.exit(1);
}

async function backup(args: readonly string[]): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    refuse(error.message);
  }
  if (config.store !== 'sqlite') refuse(`STORE=${config.store}: only a SQLite store (STORE=sqlite, the default) can be backed up this way`);
  if (args.length === 0 || args[0] === '') refuse(`no destination given (${USAGE})`);
  if (args.length > 1) refuse(`one destination only, got ${args.length} arguments (${USAGE})`);
  const destination = args[0]!;
  // SQLite's backup would overwrite the file: a mistyped name must not destroy another database.
  if (existsSync(destination)) refuse(`${destination} already exists: choose a new file`);
  const source = config.sqlite.path;
  if (!existsSync(source)) refuse(`${source} (SQLITE_PATH) does not exist: nothing to back up`);

  let pages: number;
  try {
    pages = await backupSqliteDatabase(source, destination);
  } catch (error) {
    refuse(`backing up ${source} to ${destination} failed: ${(error as Error).message}`);
  }
  process.stdout.write(`backed up ${source} to ${destination} (${pages} pages)\n`);
}

await backup(process.argv.slice(2));
