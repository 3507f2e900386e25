import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { configTable } from '../../../src/app/config/readme-table.js';
import { variables } from '../../../src/app/config/variables.js';

const README = new URL('../../../README.md', import.meta.url);
const SCRIPT = new URL('../../../scripts/config-table.ts', import.meta.url);

/** What the README has between its config-table markers. */
async function readmeTable(): Promise<string> {
  const readme = await readFile(README, 'utf8');
  const found = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
  if (found?.[1] === undefined) throw new Error('README.md has no config-table markers');
  return found[1];
}

describe('the README configuration table', function () {
  this.timeout(60_000);

  it('is what scripts/config-table.ts prints from the schema', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SCRIPT.pathname]);
    expect(stdout).to.equal(`${configTable()}\n`);
    expect(await readmeTable(), 'regenerate it: node --import tsx scripts/config-table.ts').to.equal(stdout.trimEnd());
  });

  it('has one row per variable of the schema, in its order, each with a meaning', () => {
    const names = configTable()
      .split('\n')
      .slice(2)
      .map((row) => /^\| `([A-Z0-9_]+)` \| .+ \| .+ \|$/.exec(row)?.[1]);
    expect(names).to.deep.equal(Object.keys(variables.shape));
  });

  it('shows the fallback each variable really has', () => {
    const rows = new Map(
      configTable()
        .split('\n')
        .map((row) => [row.split(' | ')[0]?.slice(3, -1), row.split(' | ')[1]]),
    );
    expect(rows.get('PORT')).to.equal('`5000`');
    expect(rows.get('SESSION_TTL')).to.equal('`14d`');
    expect(rows.get('MONGODB_URI')).to.equal('—');
  });

  it('names in the Security table only variables the schema has', async () => {
    const readme = await readFile(README, 'utf8');
    const security = readme.slice(readme.indexOf('| protection | default | variable |'));
    const named = [...security.matchAll(/^\|.*\| `([A-Z][A-Z0-9_]+)` \|$/gm)].map((match) => match[1]);
    expect(named).not.to.be.empty;
    for (const name of named) expect(variables.shape, `${name}`).to.have.property(name ?? '');
  });
});
