import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The `canonicalize` package (an independent RFC 8785 implementation, dev dependency), loaded
 * from its own source. It ships ES modules only with an `import`-only exports map, which jest's
 * CommonJS runtime cannot load, so its single default-exported function is evaluated here as is.
 */
function load(): (value: unknown) => string | undefined {
  const file = path.resolve(__dirname, '..', '..', 'node_modules', 'canonicalize', 'lib', 'canonicalize.js');
  const source = readFileSync(file, 'utf8');
  if (!source.includes('export default function canonicalize')) throw new Error('canonicalize: unexpected module shape');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(source.replace('export default function canonicalize', 'return function canonicalize'))() as (value: unknown) => string | undefined;
}

export const canonicalize = load();
