/**
 * Prints a JWT for calling the API by hand:
 *   npm run token -- --tenant acme --role admin [--role auditor] [--sub alice] [--ttl 3600]
 * Signs with AUTH_JWT_SECRET, or with the development secret generated under DATA_DIR.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signToken } from '../src/shared/auth/sign-token';

function args(argv: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const v = inline ?? argv[++i] ?? '';
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

function secret(): string {
  if (process.env.AUTH_JWT_SECRET) return process.env.AUTH_JWT_SECRET;
  const file = path.join(path.resolve(process.env.DATA_DIR ?? './.data'), 'dev-secrets.json');
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { AUTH_JWT_SECRET: string }).AUTH_JWT_SECRET;
  } catch {
    process.stderr.write(`token: set AUTH_JWT_SECRET, or start the service once so it generates ${file}\n`);
    process.exit(2);
  }
}

const a = args(process.argv.slice(2));
const tenant = a.get('tenant')?.[0] ?? 'acme';
const roles = a.get('role') ?? ['admin'];
const sub = a.get('sub')?.[0] ?? `${roles[0]}@${tenant}`;
const ttl = Number(a.get('ttl')?.[0] ?? 3600);
const signing = { jwtSecret: secret(), issuer: process.env.AUTH_JWT_ISSUER || undefined, audience: process.env.AUTH_JWT_AUDIENCE || undefined };
process.stdout.write(signToken({ sub, tenant, roles, name: a.get('name')?.[0] ?? sub }, signing, ttl) + '\n');
