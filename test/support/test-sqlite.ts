import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let folder: string | undefined;

/**
 * A database file of its own for a test (not created: the store creates it), in one temporary folder
 * for the run, removed at the end (root-hooks.ts).
 */
export function uniqueSqlitePath(label: string): string {
  folder ??= mkdtempSync(join(tmpdir(), 'auth-test-sqlite-'));
  return join(folder, `${label.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${randomBytes(5).toString('hex')}.sqlite3`);
}

/** Removes the run's SQLite files. */
export function removeTestSqliteFiles(): void {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
}
