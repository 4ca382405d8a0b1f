/** Default suite: a few minutes on a 2-core machine. Long checks live in test/slow (npm run test:slow). */
const slow = process.env.HEATBATH_SLOW === '1';
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: slow ? ['/node_modules/'] : ['/node_modules/', '/test/slow/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 120000,
};
