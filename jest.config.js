/** One jest run: unit specs beside the code (src/**\/*.spec.ts) and e2e suites (test/**\/*.e2e-spec.ts). */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
const moduleNameMapper = {
  '^@modules/(.*)$': '<rootDir>/src/modules/$1',
  '^@shared/(.*)$': '<rootDir>/src/shared/$1',
  '^@sandbox/(.*)$': '<rootDir>/src/sandbox/$1',
  '^@migrations/(.*)$': '<rootDir>/migrations/$1',
};
// content-disposition 3 (under @fastify/static, for the OpenAPI UI) ships ES modules only: let swc turn it into CommonJS.
const common = {
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper,
  testEnvironment: 'node',
  rootDir: __dirname,
};
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
