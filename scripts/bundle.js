// Bundles the TypeScript sources into build/ with esbuild (transpile only: type checking is
// `tsc --noEmit` in `npm run build` and `npm test`). A bundled app starts in a fraction of
// the time ts-node needs to type-check the generated imports on every synth.
//
//   build/cli.js    the CLI (bin/calico-shield.js), everything in one file
//   build/cli.cache V8's code cache of build/cli.js, with --code-cache (scripts/code-cache.js,
//                   bin/code-cache.js)
//   build/main.js   what `cdk8s synth` runs (cdk8s.yaml)
//   build/index.js  the package's API; cdk8s and constructs stay outside, so that the
//                   constructs join the user's own cdk8s App (one copy of each library)
const { spawnSync } = require('child_process');
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

/** Bundles entry points (name → source) into build/<name>.js, all with the same settings. */
function bundle(entryPoints, options = {}) {
  esbuild.buildSync({
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    logLevel: 'warning',
    absWorkingDir: ROOT,
    entryPoints,
    outdir: 'build',
    ...options,
  });
}

/**
 * Every bundle of the app; with `codeCache`, the command's code cache too. Building the cache
 * runs a synth (about a second), which saves some 50 ms of each run of the command: `npm run
 * build`, `npm pack`, the benchmark and the tests build it; `cdk8s synth`, `npm run synth` and
 * the checkout's command after an edit (bin/calico-shield.js) run without it.
 */
function bundleAll({ codeCache: withCache = false } = {}) {
  // No cache of the bundle being replaced outlives it (bin/code-cache.js would not use it anyway).
  fs.rmSync(path.join(ROOT, 'build', 'cli.cache'), { force: true });
  // Without whitespace and comments: some comments hold non-ASCII characters, and one such
  // character makes V8 read and compile the whole 1.8 MB file as two-byte text, 10-15 ms of
  // every run (BENCHMARKS.md). Stack traces (--debug) are mapped back through the source map.
  bundle({ main: 'main.ts', cli: 'lib/cli.ts' }, { minifyWhitespace: true });
  bundle({ index: 'lib/index.ts' }, { external: ['cdk8s', 'constructs'] });
  if (withCache) codeCache();
}

/**
 * build/cli.cache of the repository at `root`, in a Node process without this one's flags and
 * without NODE_OPTIONS (scripts/code-cache.js), in a work folder of build/ that is removed
 * afterwards. Quiet when it works, as the command that rebuilds a stale bundle
 * (bin/calico-shield.js) prints only its own output; without a cache the command works, a
 * little slower, so a failure is a warning.
 */
function codeCache(root = ROOT) {
  const build = path.join(root, 'build');
  removeLeftovers(build);
  const work = fs.mkdtempSync(path.join(build, `.code-cache-${process.pid}-`));
  try {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'code-cache.js'), work], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) {
      const why = r.error?.message ?? (r.signal ? `it was killed by ${r.signal}` : r.stderr.trim());
      process.stderr.write(`calico-shield: build/cli.cache was not written, the command runs without it: ${why}\n`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Work folders (.code-cache-<pid>-*) and unfinished caches (cli.cache.<pid>-*) of builds that
 * were interrupted: those whose process is gone. A running build's are left alone.
 */
function removeLeftovers(build) {
  for (const name of fs.existsSync(build) ? fs.readdirSync(build) : []) {
    const pid = /^(?:\.code-cache-|cli\.cache\.)(\d+)-/.exec(name)?.[1];
    if (pid !== undefined && !running(Number(pid))) fs.rmSync(path.join(build, name), { recursive: true, force: true });
  }
}

function running(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== '--code-cache')) {
    process.stderr.write('usage: node scripts/bundle.js [--code-cache]\n');
    process.exitCode = 2;
  } else bundleAll({ codeCache: args.includes('--code-cache') });
}

module.exports = { bundle, bundleAll, codeCache };
