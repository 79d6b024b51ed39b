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
    { ...common, displayName: 'integ', testMatch: ['<rootDir>/test/integ/**/*.test.ts'] },
  ],
};
