#!/usr/bin/env node
// The calico-shield command. In the installed package, build/cli.js is the bundle built at pack
// time. In a checkout of calico-shield's own repository (lib/ is there), the bundle is built
// first when it is missing or older than a source file, so `npx calico-shield` after `npm ci`,
// or after an edit, runs the code of the checkout and not a stale or absent bundle.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'build', 'cli.js');

/** The newest modification time of the TypeScript sources under these folders. */
function newestSource(folders) {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(file).mtimeMs);
    }
  };
  for (const folder of folders) if (fs.existsSync(folder)) visit(folder);
  return newest;
}

if (fs.existsSync(path.join(root, 'lib', 'cli.ts')) && fs.existsSync(path.join(root, 'scripts', 'bundle.js'))) {
  const built = fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : -1;
  // package.json too: the version calico-shield prints and writes into each lock comes from it.
  const newest = Math.max(newestSource([path.join(root, 'lib'), path.join(root, 'imports')]), fs.statSync(path.join(root, 'package.json')).mtimeMs);
  if (built < newest) require('../scripts/bundle.js').bundleAll();
}
if (process.argv.includes('--debug')) {
  // The bundle is minified (scripts/bundle.js): --debug's stack trace names the TypeScript
  // sources through the bundle's source map, which Node reads only for modules `require`
  // loads after this.
  process.setSourceMapsEnabled(true);
  require(bundle).main();
} else {
  // With V8's code cache of the bundle, when build/cli.cache is this bundle's (bin/code-cache.js).
  require('./code-cache.js').loadBundle(bundle).exports.main();
}
