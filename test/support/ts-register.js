/* Runs TypeScript files with plain Node, without a build: `node -r ./test/support/ts-register.js file.ts`.
 * Each .ts file is compiled on require by @swc/core (same options as jest's transform), with the
 * tsconfig path aliases (@shared/*, @modules/*, ...) rewritten. Used by child processes of e2e tests
 * (the service as a real process, the embedded database in its own process) and by bench/. */
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..', '..');
const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
    baseUrl: root,
    paths: {
      '@modules/*': ['src/modules/*'],
      '@shared/*': ['src/shared/*'],
      '@sandbox/*': ['src/sandbox/*'],
      '@migrations/*': ['migrations/*'],
    },
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = require('node:fs').readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...options, filename });
  module._compile(code, filename);
};
