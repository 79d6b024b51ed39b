/** Two projects: fast unit tests, and integration tests that start the real emulator and engine. */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
module.exports = {
  reporters: ['default', '<rootDir>/test/helper/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/test/integ/'] },
    // The construct's tests again on CDK Terrain's core: every `cdktf` import (the tests' and the
    // library's own lookup of the core) is cdktn here, so the library must find and use it.
    {
      ...common,
      displayName: 'unit-cdktn',
      testMatch: ['<rootDir>/test/lib/**/*.test.ts'],
      testPathIgnorePatterns: ['/test/lib/core.test.ts'], // it loads both cores itself
      moduleNameMapper: { '^cdktf$': '<rootDir>/node_modules/cdktn' },
    },
    { ...common, displayName: 'integ', testMatch: ['<rootDir>/test/integ/**/*.test.ts'] },
  ],
};
