// `npm run bench`: bundles the app (scripts/bundle.js) and then the benchmark's own entry
// points into build/, the same way: bench.js (bench/run.ts), bench-baseline.js (the
// baseline child) and profile-summary.js.
require('../scripts/bundle.js');
const esbuild = require('esbuild');
const path = require('path');

esbuild.buildSync({
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: path.resolve(__dirname, '..'),
  entryPoints: { bench: 'bench/run.ts', 'bench-baseline': 'bench/baseline.ts', 'profile-summary': 'bench/profile-summary.ts' },
  outdir: 'build',
});
