// Every snapshot lives in the top-level __snapshots__/ folder, as cdk8s users expect,
// named after the test file's path so that two test files never share one.
const path = require('path');
const root = path.resolve(__dirname, '..', '..');
const dir = path.join(root, '__snapshots__');

module.exports = {
  resolveSnapshotPath: (testPath, ext) =>
    path.join(dir, path.relative(root, testPath).split(path.sep).join('__') + ext),
  resolveTestPath: (snapshotPath, ext) =>
    path.join(root, path.basename(snapshotPath, ext).split('__').join(path.sep)),
  testPathForConsistencyCheck: path.join(root, 'test', 'seeds.test.ts'),
};
