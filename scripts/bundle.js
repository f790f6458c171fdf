// Bundles the TypeScript sources into build/ with esbuild (transpile only: type checking is
// `tsc --noEmit` in `npm run build` and `npm test`). A bundled app starts in a fraction of
// the time ts-node needs to type-check the generated imports on every synth.
const esbuild = require('esbuild');
const path = require('path');

const root = path.resolve(__dirname, '..');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

esbuild.buildSync({ ...common, entryPoints: { main: 'main.ts', cli: 'lib/cli.ts' }, outdir: 'build' });
