// Writes build/cli.cache, V8's code cache of build/cli.js (bin/code-cache.js says how the
// command uses it). scripts/bundle.js runs this in a Node process of its own after bundling,
// without the bundler's flags or NODE_OPTIONS: V8 refuses a cache made under other flags, and
// the cache is for the command as its users run it.
//
//   node scripts/code-cache.js <work folder under build/>
//
// The cache holds the bytecode of what the bundle compiled by the time it is taken: here, after
// a synth of the repository's clusters/ (their regular files only, copied into the work folder,
// which scripts/bundle.js removes) into the work folder, so the command's usual path is in it.
// Nothing outside the work folder but build/cli.cache is written.
'use strict';
const fs = require('fs');
const path = require('path');
const { writeCodeCache } = require('../bin/code-cache.js');

const root = path.join(__dirname, '..');
const work = process.argv[2];
try {
  if (work === undefined) throw new Error('usage: node scripts/code-cache.js <work folder>');
  const clusters = path.join(work, 'clusters');
  fs.mkdirSync(clusters);
  const shipped = path.join(root, 'clusters');
  for (const name of fs.existsSync(shipped) ? fs.readdirSync(shipped) : []) {
    // A named pipe would block the copy; the command itself refuses anything but a regular file.
    const file = path.join(shipped, name);
    if (name.endsWith('.yaml') && fs.lstatSync(file).isFile()) fs.copyFileSync(file, path.join(clusters, name));
  }
  writeCodeCache(path.join(root, 'build', 'cli.js'), (cli) => {
    // A synth that fails still compiled most of the command: the cache is written all the same.
    const quiet = () => undefined;
    cli.run(['synth', '--clusters', clusters, '--out', path.join(work, 'dist')], { stdout: quiet, stderr: quiet, cwd: work });
  });
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
