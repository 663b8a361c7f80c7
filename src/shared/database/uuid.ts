import { randomUUID } from 'node:crypto';

/**
 * A time-ordered UUID (RFC 9562 version 7): the first 48 bits are the Unix time in milliseconds,
 * the rest random (74 bits), so ids made one after the other land next to each other in a B-tree.
 * For the rows written in bulk (comments, events): a random (version 4) key sends every insert to
 * a random leaf of its index, so the whole index is the working set, and once it outgrows the
 * buffer cache inserts wait on reads and write-backs. `uuid_v7()` in SQL (migration 0010) makes
 * the same ids.
 */
export function uuidV7(now = Date.now()): string {
  const ts = now.toString(16).padStart(12, '0');
  const r = randomUUID(); // its version nibble (index 14) is replaced; the variant (index 19) stays
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${r.slice(15)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its canonical text form (any version): what a `uuid` column or parameter accepts. */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
