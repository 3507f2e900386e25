/**
 * The layering rules of the hexagon, checked by test/architecture.test.ts (and `npx depcruise src`).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-self-contained',
      comment:
        'src/domain holds the use cases and their ports: it may import only itself and node:crypto (for SHA-256), ' +
        'never an adapter, the app, a framework or a driver.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^(node:)?crypto$'] },
    },
    {
      name: 'adapters-do-not-know-the-app',
      comment: 'Adapters serve ports; only the composition root (src/app) chooses and wires them.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/app/' },
    },
    {
      name: 'adapters-are-independent',
      comment:
        'An adapter may use the domain, never another adapter: they meet only in the composition root. Two ' +
        'exceptions, shared by every store: the files directly in src/adapters/stores/ (the Store contract a store ' +
        'adapter implements, and what several stores share: deadlines, start-up retry, migrations, SQL rows, the sweep), ' +
        'and the rate-limit adapter, whose counters each store keeps in its own database.',
      severity: 'error',
      from: { path: '^src/adapters/((?:stores/)?[^/]+)/' },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/(?:$1/|stores/[^/]+[.]ts$|rate-limit/)' },
    },
    {
      name: 'source-does-not-import-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
