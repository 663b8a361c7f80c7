import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { resolveConfig } from '@shared/config/load-config';
import { freePort } from '@shared/database/embedded-postgres';
import { startSandbox } from '@sandbox/sandbox-mode';

/* There is no Docker engine in CI: these rules read docker-compose.yml (and what it builds and
 * mounts) and check, each in its own test, what running it would do. */

const ROOT = path.resolve(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  ports?: (string | number | { target: number; published?: string | number; host_ip?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as Compose;
const services = Object.entries(compose.services);

function env(s: Service): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(s.environment)) {
    for (const kv of s.environment) {
      const i = kv.indexOf('=');
      out[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
    }
  } else {
    for (const [k, v] of Object.entries(s.environment ?? {})) out[k] = v === null ? '' : String(v);
  }
  return out;
}
const words = (v: string | string[] | undefined): string =>
  Array.isArray(v) ? v.join(' ') : (v ?? '');
const startsWith = (s: Service): string => `${words(s.entrypoint)} ${words(s.command)}`;

/** Port mappings as {hostIp, published, target}; short syntax `[ip:]published:target[/proto]`. */
function ports(s: Service): { hostIp: string; published: string; target: string }[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'object')
      return {
        hostIp: p.host_ip ?? '',
        published: String(p.published ?? ''),
        target: String(p.target),
      };
    const parts = String(p)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const target = parts.pop()!;
    const published = parts.pop() ?? '';
    return { hostIp: parts.join(':'), published, target };
  });
}

/** Mounts as {source, target}; a source that is a path (., /, ~) is a bind mount, a name is a volume. */
function mounts(s: Service): { source: string; target: string; bind: boolean }[] {
  return (s.volumes ?? []).map((v) => {
    const { source = '', target } =
      typeof v === 'object'
        ? v
        : { source: v.split(':')[0], target: v.split(':')[1] ?? v.split(':')[0] };
    return { source: source ?? '', target: target ?? '', bind: /^[./~]/.test(source ?? '') };
  });
}

/** Compose's interpolation of `${VAR}`, `${VAR:-default}`, `${VAR:?error}` against `vars`. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (_, name: string, op?: string, arg?: string) => {
      const v = vars[name];
      const unset = op?.startsWith(':') ? !v : v === undefined;
      if (!unset) return v!;
      if (op?.endsWith('?')) throw new Error(`compose would stop: ${name}: ${arg}`);
      return op?.endsWith('-') ? (arg ?? '') : '';
    },
  );
}

/** Names of the variables compose requires (`${VAR:?...}`): it refuses to start without them. */
const required = [
  ...new Set(
    [
      ...readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8').matchAll(
        /\$\{([A-Z_][A-Z0-9_]*):\?/g,
      ),
    ].map((m) => m[1]!),
  ),
];
const isRequiredRef = (v: string | undefined): boolean =>
  /^\$\{[A-Z_][A-Z0-9_]*:\?[^}]*\}$/.test(v ?? '');

/** The service that runs the app: its start command ends in the compiled main (or `npm run start:prod`, which runs it). */
const APP_START = /(dist\/src\/main\.js|npm run start:prod)["']?$/;
const [appName, app] = services.find(([, s]) => APP_START.test(startsWith(s).trim())) ?? [
  '',
  undefined,
];

describe('docker-compose.yml works as written', () => {
  it('runs the service from an image built once: no container start installs or builds anything', () => {
    expect(app).toBeDefined();
    for (const [name, s] of services) {
      expect([name, startsWith(s)]).not.toEqual([
        name,
        expect.stringMatching(/npm\s+(ci|install|i)\b|npm\s+run\s+build|tsc\b/),
      ]);
    }
    expect(app!.build).toBeDefined();
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build\b/m);
    // the build context never carries the secrets or local installs
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'node_modules', '.data']));
  });

  it("PostgreSQL's port is published by no service: the database is reachable on the compose network only", () => {
    for (const [name, s] of services) {
      for (const p of ports(s)) expect([name, p.target]).not.toEqual([name, '5432']);
      if (/^postgres(:|$)/.test(s.image ?? '')) expect([name, s.ports ?? []]).toEqual([name, []]);
    }
  });

  it('no password has a default: the superuser password and every database URL password come from required variables', () => {
    let urls = 0;
    for (const [name, s] of services) {
      const e = env(s);
      if ('POSTGRES_PASSWORD' in e)
        expect([name, isRequiredRef(e.POSTGRES_PASSWORD)]).toEqual([name, true]);
      for (const [k, v] of Object.entries(e)) {
        const m = /^postgres(?:ql)?:\/\/[^:@/]+:(.*)@/.exec(v);
        if (!m) continue;
        urls++;
        expect([name, k, isRequiredRef(m[1])]).toEqual([name, k, true]);
      }
    }
    expect(urls).toBeGreaterThan(0);
    // the scripts that create the app role take its password from the environment too
    const initdb = path.join(ROOT, 'docker', 'initdb');
    for (const f of readdirSync(initdb)) {
      expect([f, readFileSync(path.join(initdb, f), 'utf8')]).not.toEqual([
        f,
        expect.stringMatching(/password\s+'[^']*'/i),
      ]);
    }
  });

  it('SUPERUSER_URL is given only to a one-shot step (migrations, audit owner) that the service waits for', () => {
    expect(env(app!)).not.toHaveProperty('SUPERUSER_URL');
    const withSuperuser = services.filter(([, s]) => 'SUPERUSER_URL' in env(s));
    expect(withSuperuser).toHaveLength(1);
    const [stepName, step] = withSuperuser[0]!;
    expect(stepName).not.toBe(appName);
    expect(startsWith(step)).toMatch(/secure-audit/);
    expect(step.restart ?? 'no').toBe('no');
    const deps = app!.depends_on;
    expect(Array.isArray(deps) ? undefined : deps?.[stepName]?.condition).toBe(
      'service_completed_successfully',
    );
  });

  it('DATA_DIR is on a named volume, and nothing of the checkout is mounted into the service', () => {
    const dataDir = env(app!).DATA_DIR;
    expect(dataDir).toMatch(/^\//);
    const m = mounts(app!);
    expect(m.filter((x) => x.bind)).toEqual([]);
    const onData = m.find((x) => x.target === dataDir);
    expect(onData).toEqual(expect.objectContaining({ bind: false }));
    expect(Object.keys(compose.volumes ?? {})).toContain(onData!.source);
  });

  it("the sandbox TikTok listens on the container's interfaces on a fixed port, published at the same number", () => {
    const e = env(app!);
    expect(e.TIKTOK_SANDBOX_HOST).toBe('0.0.0.0');
    const port = e.TIKTOK_SANDBOX_PORT;
    expect(port).toMatch(/^[1-9][0-9]*$/);
    // the consent page's address is http://127.0.0.1:<port>/…: the host's port must be the container's
    expect(ports(app!)).toContainEqual({ hostIp: '127.0.0.1', published: port, target: port });
    expect(ports(app!)).toContainEqual({ hostIp: '127.0.0.1', published: e.PORT, target: e.PORT });
  });

  describe('the simulator under those settings', () => {
    const saved = { host: process.env.TIKTOK_SANDBOX_HOST, port: process.env.TIKTOK_SANDBOX_PORT };
    afterEach(() => {
      for (const [k, v] of [
        ['TIKTOK_SANDBOX_HOST', saved.host],
        ['TIKTOK_SANDBOX_PORT', saved.port],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    /** Whether the consent page answers on 127.0.0.2: another address of the machine than the one the origin names. */
    const reachableFromOutside = async (): Promise<boolean> => {
      const port = await freePort();
      process.env.TIKTOK_SANDBOX_PORT = String(port);
      const sandbox = await startSandbox({ streamIntervalMs: 0, seed: { videos: 1, comments: 1 } });
      try {
        expect(sandbox.simulator.origin).toBe(`http://127.0.0.1:${port}`);
        const res = await fetch(`http://127.0.0.2:${port}/v2/auth/authorize/`).catch(() => null);
        return res !== null;
      } finally {
        await sandbox.stop();
      }
    };

    it('listens on every interface with TIKTOK_SANDBOX_HOST=0.0.0.0 (a published port reaches it), on loopback only without', async () => {
      const host = env(app!).TIKTOK_SANDBOX_HOST;
      expect(host).toBe('0.0.0.0');
      process.env.TIKTOK_SANDBOX_HOST = host;
      expect(await reachableFromOutside()).toBe(true);
      delete process.env.TIKTOK_SANDBOX_HOST;
      expect(await reachableFromOutside()).toBe(false);
    });
  });

  it("every secret compose requires has a one-line recipe in the README's Docker section, and the service accepts what they make", async () => {
    expect(required).toEqual(
      expect.arrayContaining(['AUTH_JWT_SECRET', 'TOKEN_ENCRYPTION_KEY', 'AUDIT_SIGNING_KEY']),
    );
    for (const name of ['AUTH_JWT_SECRET', 'TOKEN_ENCRYPTION_KEY', 'AUDIT_SIGNING_KEY']) {
      expect([name, isRequiredRef(env(app!)[name])]).toEqual([name, true]);
    }
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = /^#+ Docker\n([\s\S]*?)(?=^#+ )/m.exec(readme)?.[1] ?? '';
    const recipes = required.map((name) => {
      const line = section
        .split('\n')
        .find((l) => l.startsWith(`echo "${name}=$(`) && l.endsWith('>> .env'));
      expect([name, line]).toEqual([name, expect.any(String)]);
      return line!;
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'echo-compose-env-'));
    try {
      for (const line of recipes)
        execFileSync('bash', ['-c', line], {
          cwd: dir,
          env: { PATH: process.env.PATH },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      const vars = Object.fromEntries(
        readFileSync(path.join(dir, '.env'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(Object.keys(vars).sort()).toEqual([...required].sort());
      const appEnv = Object.fromEntries(
        Object.entries(env(app!)).map(([k, v]) => [k, interpolate(v, vars)]),
      );
      // the passwords land in URLs as they are: they must need no escaping there
      for (const [name, sv] of services) {
        for (const [k, v] of Object.entries(env(sv))) {
          const ref = /^postgres:\/\/[^:]+:\$\{([A-Z_][A-Z0-9_]*)/.exec(v);
          if (ref)
            expect([name, k, new URL(interpolate(v, vars)).password]).toEqual([
              name,
              k,
              vars[ref[1]!],
            ]);
        }
      }
      const config = await resolveConfig(appEnv, {
        databaseUrl: appEnv.DATABASE_URL!,
        embeddedDatabase: false,
        sandboxTikTok: {
          apiBaseUrl: 'http://127.0.0.1:4010/open_api/v1.3/',
          authUrl: 'http://127.0.0.1:4010/v2/auth/authorize/',
          clientKey: 'k',
          clientSecret: 's',
        },
      });
      expect(config.port).toBe(Number(appEnv.PORT));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
