/** Type checking runs in `tsc --noEmit` (npm test); jest only transpiles (tsconfig isolatedModules). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/main.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/build/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  snapshotResolver: '<rootDir>/test/support/snapshot-resolver.js',
  coveragePathIgnorePatterns: ['/node_modules/', '/imports/'],
};
