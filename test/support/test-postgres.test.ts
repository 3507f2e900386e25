import { existsSync } from 'node:fs';
import { expect } from 'chai';
import pg from 'pg';
import { describeWithPostgres, startPostgresCluster, uniqueSchemaName, type PostgresCluster } from './test-postgres.js';

/** The PostgreSQL harness itself: the shared server, schema names, and clusters of a test's own. */

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describe('test-postgres: uniqueSchemaName', () => {
  const valid = (name: string): void => {
    expect(name).to.match(/^[a-z_][a-z0-9_]*$/);
    expect(name.length).to.be.at.most(63);
  };

  it('gives distinct valid names, even for odd and very long labels', () => {
    const names = [
      uniqueSchemaName('sessions'),
      uniqueSchemaName('sessions'),
      uniqueSchemaName('Odd Label: "ß/é\'; DROP TABLE x; --'),
      uniqueSchemaName('x'.repeat(200)),
      uniqueSchemaName(''),
    ];
    names.forEach(valid);
    expect(new Set(names).size).to.equal(names.length);
  });
});

describeWithPostgres('test-postgres: the shared server', (postgres) => {
  it('accepts a query', async () => {
    const { rows } = await withClient(postgres().url, (client) => client.query<{ one: number }>('select 1 as one'));
    expect(rows).to.deep.equal([{ one: 1 }]);
  });

  it('lets a test create and use a schema of its own', async () => {
    const schema = uniqueSchemaName('harness');
    const { rows } = await withClient(postgres().url, async (client) => {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`CREATE TABLE ${schema}.t (n int)`);
      await client.query(`INSERT INTO ${schema}.t VALUES (7)`);
      return client.query<{ n: number }>(`SELECT n FROM ${schema}.t`);
    });
    expect(rows).to.deep.equal([{ n: 7 }]);
  });
});

describeWithPostgres('test-postgres: startPostgresCluster', () => {
  let cluster: PostgresCluster | undefined;

  after(async () => {
    await cluster?.destroy();
  });

  it('keeps its data over stop() and start() on the same port, and destroy() removes its folder', async function () {
    this.timeout(60_000);
    cluster = await startPostgresCluster();
    const { url, port, folder } = cluster;
    expect(new URL(url).hostname).to.equal('127.0.0.1');
    expect(new URL(url).port).to.equal(String(port));
    expect(existsSync(folder)).to.be.true;

    await withClient(url, async (client) => {
      await client.query('CREATE TABLE kept (word text)');
      await client.query(`INSERT INTO kept VALUES ('still here')`);
    });

    await cluster.stop();
    let failure: unknown;
    try {
      await withClient(url, (client) => client.query('select 1'));
    } catch (error) {
      failure = error;
    }
    expect((failure as NodeJS.ErrnoException | undefined)?.code).to.equal('ECONNREFUSED');

    await cluster.start();
    const { rows } = await withClient(url, (client) => client.query<{ word: string }>('SELECT word FROM kept'));
    expect(rows).to.deep.equal([{ word: 'still here' }]);

    // An immediate stop is a crash as far as the server knows: the committed row survives recovery.
    await cluster.stop('immediate');
    await cluster.start();
    const after = await withClient(url, (client) => client.query<{ word: string }>('SELECT word FROM kept'));
    expect(after.rows).to.deep.equal([{ word: 'still here' }]);

    await cluster.destroy();
    await cluster.destroy();
    expect(existsSync(folder)).to.be.false;
  });
});
