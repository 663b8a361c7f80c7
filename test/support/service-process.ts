import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The real service (`src/main.ts`) as a child process, compiled on the fly like `npm start` would run it. */
export class ServiceProcess {
  private proc: ChildProcess | null = null;
  readonly output: string[] = [];
  url = '';
  /** the sandbox simulator's control page (its `/sandbox/api/...` owner actions), when in sandbox mode */
  sandboxControl = '';
  exitCode: number | null = null;

  /** `root`: the checkout to run (default: this one; a copy elsewhere in test/foundation/any-folder). */
  constructor(
    private readonly env: Record<string, string>,
    private readonly root: string = ROOT,
  ) {}

  /** Starts it and resolves with the ms until it logged `ready`. */
  async start(timeoutMs = 60_000): Promise<number> {
    const t0 = Date.now();
    const proc = spawn(process.execPath, ['-r', path.join(this.root, 'test/support/ts-register.js'), path.join(this.root, 'src/main.ts')], {
      cwd: this.root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    this.exitCode = null;
    proc.on('exit', (code) => {
      this.exitCode = code;
    });
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`service not ready in ${timeoutMs} ms:\n${this.output.join('')}`)), timeoutMs);
      const onLine = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        this.output.push(text);
        for (const line of text.split('\n')) {
          if (!line.startsWith('{')) continue;
          try {
            const j = JSON.parse(line) as { msg?: string; url?: string; sandboxControl?: string };
            if (j.msg === 'ready' && j.url) {
              clearTimeout(timer);
              this.url = j.url;
              this.sandboxControl = j.sandboxControl ?? '';
              resolve(Date.now() - t0);
            }
          } catch {
            /* not a log line */
          }
        }
      };
      proc.stdout.on('data', onLine);
      proc.stderr.on('data', (c: Buffer) => this.output.push(c.toString('utf8')));
      proc.on('exit', (code) => {
        clearTimeout(timer);
        if (!this.url) reject(new Error(`service exited with ${code}:\n${this.output.join('')}`));
      });
    });
  }

  /** Sends a signal and resolves with the exit code and how long it took. */
  async signal(sig: NodeJS.Signals, timeoutMs = 15_000): Promise<{ code: number | null; ms: number }> {
    const proc = this.proc;
    if (!proc || this.exitCode !== null) return { code: this.exitCode, ms: 0 };
    const t0 = Date.now();
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill(sig);
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return { code, ms: Date.now() - t0 };
  }
}
