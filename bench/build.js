// `npm run bench`: bundles the app, with the command's code cache (scripts/bundle.js), and
// then the benchmark's own entry points into build/, the same way: bench.js (bench/run.ts),
// bench-baseline.js (the baseline child) and profile-summary.js.
const { bundle, bundleAll } = require('../scripts/bundle.js');

bundleAll({ codeCache: true });
bundle({ bench: 'bench/run.ts', 'bench-baseline': 'bench/baseline.ts', 'profile-summary': 'bench/profile-summary.ts' });
