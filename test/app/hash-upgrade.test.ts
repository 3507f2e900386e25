import bcrypt from 'bcrypt';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { startServiceProcess } from '../support/child-process.js';
import { request } from '../support/http-client.js';
import { uniqueSqlitePath } from '../support/test-sqlite.js';

const ACCOUNT = { email: 'upgrade@example.com', password: 'upgrade password' };

function storedCost(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare<[string], { password_hash: string }>('SELECT password_hash FROM users WHERE email = ?').get(ACCOUNT.email);
    return bcrypt.getRounds(row?.password_hash ?? '');
  } finally {
    db.close();
  }
}

/** One run of the real service on the file: `during` against it, then a graceful stop. */
async function run(path: string, cost: number, during: (url: string) => Promise<void>): Promise<void> {
  const service = await startServiceProcess({ STORE: 'sqlite', SQLITE_PATH: path, BCRYPT_COST: String(cost) });
  try {
    await during(service.url);
  } finally {
    expect(await service.stop()).to.equal(0);
  }
}

describe('BCRYPT_COST changed between two runs of the service', function () {
  this.timeout(60_000);

  it('re-hashes a user’s password at the new cost on their next log-in, raised and then lowered', async () => {
    const path = uniqueSqlitePath('hash-upgrade');
    const logIn = async (url: string): Promise<void> => {
      expect((await request(url, 'POST', '/sessions', { form: ACCOUNT })).status).to.equal(200);
    };
    await run(path, 4, async (url) => {
      expect((await request(url, 'POST', '/users', { form: ACCOUNT })).status).to.equal(200);
    });
    expect(storedCost(path)).to.equal(4);
    await run(path, 6, logIn);
    expect(storedCost(path), 'raised').to.equal(6);
    await run(path, 5, logIn);
    expect(storedCost(path), 'lowered').to.equal(5);
    await run(path, 5, logIn);
  });
});
