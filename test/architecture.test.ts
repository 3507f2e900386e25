import { expect } from 'chai';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const root = path.resolve(import.meta.dirname, '..');
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as IConfiguration;

async function cruiseSrc(baseDir: string): Promise<{ modules: number; violations: string[] }> {
  const tsConfig = extractTSConfig(path.join(root, 'tsconfig.json'));
  const { output } = await cruise(
    ['src'],
    { ...config.options, baseDir, validate: true, ruleSet: { forbidden: config.forbidden ?? [] } },
    undefined,
    { tsConfig },
  );
  const result = output as ICruiseResult;
  return {
    modules: result.summary.totalCruised,
    violations: result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`),
  };
}

describe('architecture (dependency-cruiser)', function () {
  this.timeout(60_000);

  it('keeps src/domain free of adapters, app, frameworks and drivers, and the layers acyclic', async () => {
    const { modules, violations } = await cruiseSrc(root);
    expect(violations).to.deep.equal([]);
    expect(modules, 'modules cruised').to.be.greaterThan(30);
  });

  it('catches a domain module that imports a framework, an adapter or the app', async () => {
    const { violations } = await cruiseSrc(path.join(root, 'test/fixtures/leaky-domain'));
    const from = 'src/domain/leaky-use-case.ts';
    expect(violations).to.include.members([
      `domain-is-self-contained: ${from} -> src/adapters/helper.ts`,
      `domain-is-self-contained: ${from} -> src/app/settings.ts`,
    ]);
    expect(violations.filter((v) => v.startsWith(`domain-is-self-contained: ${from} -> `) && /koa|inversify/.test(v))).to.have.length(2);
  });
});
