/** Type checking runs in `tsc --noEmit` (npm test); jest only transpiles (tsconfig isolatedModules). */
module.exports = {
  testEnvironment: 'node',
  // Both cores: jest's default (cores - 1) leaves one of a 2-core CI runner idle.
  maxWorkers: 2,
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/main.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/build/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  snapshotResolver: '<rootDir>/test/support/snapshot-resolver.js',
  globalSetup: '<rootDir>/test/support/bundle.js',
  coveragePathIgnorePatterns: ['/node_modules/', '/imports/'],
};
