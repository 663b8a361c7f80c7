/** Module boundaries (STYLE.md): modules meet only through contracts/; domain/ stays pure. */
module.exports = {
  forbidden: [
    {
      name: 'modules-only-via-contracts',
      comment: 'A module imports another module only through its contracts/.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/contracts/'] },
    },
    {
      name: 'domain-is-pure',
      comment: 'domain/ imports nothing from application/, infrastructure/ or api/.',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/domain/' },
      to: { path: '^src/modules/[^/]+/(application|infrastructure|api)/' },
    },
    {
      name: 'shared-has-no-business',
      comment: 'src/shared is building blocks only: it never imports a feature module.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'no-sandbox-in-modules',
      comment: 'Feature modules never depend on the simulator.',
      severity: 'error',
      from: { path: '^src/(modules|shared)/' },
      to: { path: '^src/sandbox/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '\\.spec\\.ts$' },
  },
};
