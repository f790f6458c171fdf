// Writes build/cli.cache, V8's code cache of build/cli.js (bin/code-cache.js says how the
// command uses it). scripts/bundle.js runs this in a Node process of its own after bundling,
// without the bundler's flags: V8 refuses a cache made under other flags.
//
// The cache holds the bytecode of what the bundle compiled by the time it is taken: here, after
// a synth of the repository's clusters/ into a folder of build/ that is removed afterwards, so
// the command's usual path is in it. Nothing outside build/ is written.
'use strict';
const fs = require('fs');
const path = require('path');
const { writeCodeCache } = require('../bin/code-cache.js');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'build', 'cli.js');
const work = fs.mkdtempSync(path.join(root, 'build', '.code-cache-'));
try {
  const clusters = path.join(work, 'clusters');
  fs.mkdirSync(clusters);
  const shipped = path.join(root, 'clusters');
  for (const name of fs.existsSync(shipped) ? fs.readdirSync(shipped) : []) {
    if (name.endsWith('.yaml')) fs.copyFileSync(path.join(shipped, name), path.join(clusters, name));
  }
  writeCodeCache(bundle, (cli) => {
    const printed = [];
    const print = (text) => printed.push(text);
    const code = cli.run(['synth', '--clusters', clusters, '--out', path.join(work, 'dist')], { stdout: print, stderr: print, cwd: work });
    // A failing synth still compiled most of the command; the cache is written all the same.
    if (code !== 0) process.stderr.write(`scripts/code-cache.js: the synth of clusters/ exited ${code}:\n${printed.join('')}`);
  });
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
