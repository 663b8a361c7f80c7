import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SimulatorState } from './simulator-control';

export type { SimulatorState };

/** A saved state that cannot be used (not JSON, or not the shape written). */
export class StateFileError extends Error {}

type Kind = 'string' | 'number' | 'boolean' | 'string[]' | 'string|null' | 'string[]|null';

function is(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value === kind;
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'string|null':
      return value === null || typeof value === 'string';
    case 'string[]|null':
      return value === null || is(value, 'string[]');
  }
}

function list(
  root: Record<string, unknown>,
  name: string,
  fields: Record<string, Kind>,
): Record<string, unknown>[] {
  const items = root[name];
  if (!Array.isArray(items)) throw new StateFileError(`${name} is not a list`);
  items.forEach((item: unknown, i) => {
    if (typeof item !== 'object' || item === null)
      throw new StateFileError(`${name}[${i}] is not an object`);
    for (const [field, kind] of Object.entries(fields)) {
      if (!is((item as Record<string, unknown>)[field], kind))
        throw new StateFileError(`${name}[${i}].${field} is not a ${kind}`);
    }
  });
  return items as Record<string, unknown>[];
}

const TOKEN = {
  token: 'string',
  openId: 'string',
  scopes: 'string[]',
  expiresAt: 'number',
} as const;

/**
 * Parses a saved state and checks every record's key fields, so that a damaged file is refused
 * whole at start-up rather than failing a request later.
 */
export function parseSimulatorState(text: string): SimulatorState {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(`not JSON (${(err as Error).message})`);
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root))
    throw new StateFileError('not a JSON object');
  const r = root as Record<string, unknown>;
  if (r.version !== 1) throw new StateFileError(`unknown version ${JSON.stringify(r.version)}`);
  if (typeof r.seq !== 'number' || typeof r.savedAt !== 'number')
    throw new StateFileError('seq or savedAt is not a number');
  list(r, 'accounts', {
    openId: 'string',
    username: 'string|null',
    grantedScopes: 'string[]|null',
  });
  list(r, 'videos', {
    itemId: 'string',
    openId: 'string',
    createTimeMs: 'number',
    deleted: 'boolean',
    listed: 'boolean',
  });
  const comments = list(r, 'comments', {
    commentId: 'string',
    videoId: 'string',
    openId: 'string',
    text: 'string',
    createTime: 'number',
    status: 'string',
    deleted: 'boolean',
    seq: 'number',
  });
  comments.forEach((c, i) => {
    if (c.parentCommentId !== undefined && typeof c.parentCommentId !== 'string')
      throw new StateFileError(`comments[${i}].parentCommentId is not a string`);
  });
  list(r, 'accessTokens', { ...TOKEN, revoked: 'boolean' });
  list(r, 'refreshTokens', { ...TOKEN, revoked: 'boolean', used: 'boolean' });
  list(r, 'authCodes', { code: 'string', openId: 'string', redirectUri: 'string' });
  list(r, 'shortLinks', { host: 'string', path: 'string', location: 'string' });
  const sub = r.subscription;
  if (
    sub !== null &&
    (typeof sub !== 'object' ||
      !is((sub as Record<string, unknown>).callbackUrl, 'string') ||
      !is((sub as Record<string, unknown>).eventType, 'string'))
  )
    throw new StateFileError('subscription is neither null nor {eventType, callbackUrl}');
  const source = (sub as { source?: unknown } | null)?.source;
  if (source !== undefined && source !== 'api' && source !== 'control')
    throw new StateFileError('subscription.source is neither "api" nor "control"');
  return root as SimulatorState;
}

/** Where the store reports what it did (sandbox mode passes the service's logger). */
export type StateLog = (
  level: 'info' | 'warn',
  msg: string,
  detail: Record<string, unknown>,
) => void;

/**
 * The simulator's state in one JSON file, for sandbox mode. Each save writes a temporary file,
 * fsyncs it, moves the current file to `.bak` and renames the new one in place (then fsyncs the
 * folder), so at every moment a complete state is on disk: a kill at any point loses at most the
 * changes since the last save (saves follow changes by `delayMs`). A file that cannot be read is
 * moved aside (`.corrupt-<time>`) with a log line and never blocks a start: the previous good
 * state (`.bak`) is used, or none.
 */
export class SimulatorStateFile {
  private snapshot: (() => SimulatorState) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly opts: { delayMs?: number; log?: StateLog } = {},
  ) {}

  /** The saved state (the file, else the previous one), or null when there is none usable. */
  async load(): Promise<{ state: SimulatorState; file: string } | null> {
    for (const file of [this.file, `${this.file}.bak`]) {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        this.log('warn', 'TikTok simulator state unreadable, not used', {
          file,
          error: String(err),
        });
        continue;
      }
      try {
        return { state: parseSimulatorState(text), file };
      } catch (err) {
        const movedTo = `${file}.corrupt-${Date.now()}`;
        await fs.rename(file, movedTo).catch(() => undefined);
        this.log('warn', 'TikTok simulator state is damaged: moved aside, not used', {
          file,
          movedTo,
          error: (err as Error).message,
        });
      }
    }
    return null;
  }

  /** From now on, `snapshot()` is saved shortly after each `changed()`. */
  start(snapshot: () => SimulatorState): void {
    this.snapshot = snapshot;
  }

  /** Something changed: save within `delayMs` (changes in between are saved together). */
  changed(): void {
    if (this.closed || !this.snapshot) return;
    this.dirty = true;
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => void this.saveNow(), this.opts.delayMs ?? 200);
    this.timer.unref();
  }

  /** Writes any unsaved change now and waits for it (and for a save under way). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.writing) await this.writing;
      // A failed save is logged and not retried here, so a read-only disk cannot hold up a stop.
      else if (!this.dirty || !(await this.saveNow())) return;
    }
  }

  /** Flushes, then ignores further changes. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Saves the current state; false when that failed. */
  private async saveNow(): Promise<boolean> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.dirty || !this.snapshot) return true;
    this.dirty = false;
    const text = JSON.stringify(this.snapshot());
    let ok = true;
    this.writing = this.write(text)
      .catch((err: unknown) => {
        ok = false;
        // Kept dirty: the next change (or the flush at stop) tries again.
        this.dirty = true;
        this.log('warn', 'TikTok simulator state not saved', {
          file: this.file,
          error: String(err),
        });
      })
      .finally(() => {
        this.writing = null;
        if (this.dirty && !this.closed && ok) this.changed();
      });
    await this.writing;
    return ok;
  }

  private async write(text: string): Promise<void> {
    const dir = path.dirname(this.file);
    await fs.mkdir(dir, { recursive: true });
    const tmp = `${this.file}.tmp`;
    const fh = await fs.open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(this.file, `${this.file}.bak`).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await fs.rename(tmp, this.file);
    // The renames are durable once the folder is synced.
    const dh = await fs.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  private log(level: 'info' | 'warn', msg: string, detail: Record<string, unknown>): void {
    this.opts.log?.(level, msg, detail);
  }
}
