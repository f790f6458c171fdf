// Bundles the TypeScript sources into build/ with esbuild (transpile only: type checking is
// `tsc --noEmit` in `npm run build` and `npm test`). A bundled app starts in a fraction of
// the time ts-node needs to type-check the generated imports on every synth.
//
//   build/cli.js    the CLI (bin/calico-shield.js), everything in one file
//   build/main.js   what `cdk8s synth` runs (cdk8s.yaml)
//   build/index.js  the package's API; cdk8s and constructs stay outside, so that the
//                   constructs join the user's own cdk8s App (one copy of each library)
const esbuild = require('esbuild');
const path = require('path');

/** Bundles entry points (name → source) into build/<name>.js, all with the same settings. */
function bundle(entryPoints, options = {}) {
  esbuild.buildSync({
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    logLevel: 'warning',
    absWorkingDir: path.resolve(__dirname, '..'),
    entryPoints,
    outdir: 'build',
    ...options,
  });
}

/** Every bundle of the app. */
function bundleAll() {
  // Without whitespace and comments: some comments hold non-ASCII characters, and one such
  // character makes V8 read and compile the whole 1.8 MB file as two-byte text, 10-15 ms of
  // every run (BENCHMARKS.md). Stack traces (--debug) are mapped back through the source map.
  bundle({ main: 'main.ts', cli: 'lib/cli.ts' }, { minifyWhitespace: true });
  bundle({ index: 'lib/index.ts' }, { external: ['cdk8s', 'constructs'] });
}

if (require.main === module) bundleAll();

module.exports = { bundle, bundleAll };
