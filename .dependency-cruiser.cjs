/**
 * The layers of src/ (ARCHITECTURE.md): each folder may import only the folders listed for it,
 * which all sit below it, and nothing may import in a circle. `npm test` runs this
 * (test/layers.test.ts), so a wrong-way import fails the suite, not a review.
 */
const LAYERS = {
  commands: ['*'],
  kernel: ['results'],
  runner: ['workloads', 'strategies', 'verify', 'census', 'probe', 'metrics', 'sys', 'results', 'stats'],
  workloads: ['strategies', 'probe', 'metrics', 'sys', 'results', 'stats'],
  verify: ['strategies', 'census', 'probe', 'metrics', 'sys', 'results', 'stats'],
  census: ['probe', 'metrics', 'sys', 'results', 'stats'],
  strategies: ['probe', 'sys', 'results', 'stats'],
  probe: ['metrics', 'sys', 'results', 'stats'],
  metrics: ['sys', 'results', 'stats'],
  sys: [],
  report: ['render', 'analysis', 'results', 'stats'],
  compare: ['render', 'analysis', 'results', 'stats'],
  history: ['render', 'analysis', 'results', 'stats'],
  export: ['render', 'analysis', 'results', 'stats'],
  trail: ['render', 'analysis', 'results', 'stats'],
  render: ['results'],
  analysis: ['results', 'stats'],
  results: [],
  stats: ['results'],
};

const layerRules = Object.entries(LAYERS)
  .filter(([, allowed]) => !allowed.includes('*'))
  .map(([layer, allowed]) => ({
    name: `layer-${layer}`,
    comment: `src/${layer}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing of ours'} (and src/errors.ts, src/version.ts)`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: {
      path: '^(src|bench|scripts|test)/',
      pathNot: [`^src/(${[layer, ...allowed].join('|')})/`, '^src/(errors|version)\\.ts$'],
    },
  }));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'import cycles make a module impossible to read (or load) on its own',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'commands-stand-alone',
      comment: 'the commands use the profiles, never scripts or tests',
      severity: 'error',
      from: { path: '^src/commands/' },
      to: { path: '^(scripts|test)/' },
    },
    {
      name: 'src-stands-alone',
      comment: 'src/ never imports scripts or tests, and only the commands import the profiles (plain data they hand to the runner)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/commands/' },
      to: { path: '^(bench|scripts|test)/' },
    },
    {
      name: 'bottom-files',
      comment: 'src/errors.ts and src/version.ts sit below every layer',
      severity: 'error',
      from: { path: '^src/(errors|version)\\.ts$' },
      to: { path: '^src/' , pathNot: '^src/(errors|version)\\.ts$' },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)node_modules/' },
  },
};
