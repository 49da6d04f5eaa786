// Three projects: `unit` (pure, mocks, policies; runs in `npm test`), `e2e` (real control
// plane and Pulumi engine; `npm run test:e2e`) and `real` (a real node where Jupyter runs;
// `npm run test:real`, needs root). isolatedModules (tsconfig) keeps ts-jest fast; `npm run lint`
// does the full type check.
const tsJest = ['ts-jest', { diagnostics: false }];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.e2e\\.test\\.ts$', '\\.real\\.test\\.ts$'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
    },
    {
      displayName: 'real',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/real/**/*.real.test.ts'],
    },
  ],
};
