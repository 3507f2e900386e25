import { StoreUnreachableError } from './store.js';

/**
 * One step of a SQL store's schema. Versions run 1, 2, 3… and a released step is never edited: a change
 * of schema is a new step, so that a database left at any earlier version is brought up to date.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** One or more statements, run in one transaction with the version's record. */
  readonly sql: string;
}

/**
 * The steps a database at `current` still needs, in order. A database newer than this code (a roll-back
 * after an upgrade) is refused rather than written to with the wrong shape.
 */
export function pendingMigrations(migrations: readonly Migration[], current: number, where: string): readonly Migration[] {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new Error(`migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
  });
  const latest = migrations.length;
  if (current > latest) {
    throw new StoreUnreachableError(
      `${where} is at schema version ${current}, newer than this service's ${latest}: refusing to start (run the newer service, or restore a backup)`,
    );
  }
  return migrations.slice(current);
}
