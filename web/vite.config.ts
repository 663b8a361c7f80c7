import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// The console: served by the service under /admin (same origin as /api/v1). Vite's own JSX
// transform (automatic runtime) is enough: there is no dev server with fast refresh to feed.
export default defineConfig({
  root: here,
  base: '/admin/',
  publicDir: 'public',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // the service recognises a build by its manifest; the size test reads the entry's imports from it
    manifest: true,
    // no inline polyfill script: the CSP allows scripts from files only
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    rollupOptions: {
      // TanStack Query marks its modules "use client" for React Server Components; meaningless in a bundle
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
