// jest's globalSetup: the tests that spawn bin/calico-shield.js run the esbuild bundle in
// build/, so it is built from the sources under test first (a clean clone has no build/),
// with its code cache, as the package ships it.
module.exports = () => {
  require('../../scripts/bundle.js').bundleAll({ codeCache: true });
};
