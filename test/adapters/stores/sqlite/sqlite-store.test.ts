import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../../src/adapters/stores/sqlite/sqlite-store.js';
import { describeRepositoryContract } from '../store-contract.js';

describe('SQLite repositories', () => {
  let folder: string;
  const opened: SqliteStore[] = [];

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'auth-sqlite-'));
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  let files = 0;
  const openStore = (path = join(folder, `contract-${(files += 1)}.sqlite3`)) => {
    const store = SqliteStore.open({ path, synchronous: 'full', busyTimeoutMs: 1000, sweepIntervalMs: 60_000 });
    opened.push(store);
    return store;
  };

  describeRepositoryContract('sqlite', async () => openStore());
});
