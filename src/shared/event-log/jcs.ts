/**
 * RFC 8785 JSON Canonicalization Scheme for the JSON values this service stores: object keys
 * sorted by UTF-16 code units, no whitespace, ECMAScript number and string serialisation (which
 * is exactly what JCS prescribes). `undefined` members are dropped like JSON.stringify does.
 *
 * Every event is serialised at least twice (its data digest, its chain hash): plain loops and
 * string appends, no intermediate arrays per object. (`JSON.stringify` with the sorted keys as its
 * property list was measured slower: a replacer takes it off its fast path.)
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('JCS: non-finite number');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          if (i > 0) out += ',';
          out += v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v);
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      // the default sort compares UTF-16 code units, as JCS requires
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined || typeof v === 'function') continue;
        out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
        first = false;
      }
      return `${out}}`;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new TypeError(`JCS: cannot serialise ${typeof value}`);
  }
  throw new TypeError('JCS: unreachable');
}

/**
 * A member of `jcsObjectSql`: a SQL expression of type text (a JSON string, or null when NULL),
 * of type boolean, or an object of such members.
 */
export type JcsSqlMember = { text: string } | { boolean: string } | { object: Record<string, JcsSqlMember> };

/**
 * SQL that builds the RFC 8785 (JCS) text of a JSON object of strings, booleans, nulls and such
 * objects: exactly what `canonicalJson` writes for the same values in JavaScript. Keys are sorted
 * here by UTF-16 code units (plain names only), nothing is written between tokens, and strings
 * are escaped by PostgreSQL's `to_json`, which escapes as ECMAScript's JSON.stringify does for any
 * text PostgreSQL can hold ('"', backslash, \b \f \n \r \t, other control characters as
 * \u00xx in lowercase hex, everything else as it is). test/foundation/event-log-sql.e2e-spec.ts
 * compares the two on tricky text.
 */
export function jcsObjectSql(members: Record<string, JcsSqlMember>): string {
  const keys = Object.keys(members).sort();
  const parts = keys.map((k, i) => {
    if (!/^[A-Za-z0-9_]+$/.test(k)) throw new Error(`jcsObjectSql: key ${k} is not a plain name`);
    const m = members[k];
    const value =
      'object' in m ? jcsObjectSql(m.object) : 'boolean' in m ? `coalesce((${m.boolean})::text, 'null')` : `coalesce(to_json((${m.text})::text)::text, 'null')`;
    return `'${i === 0 ? '{' : ','}"${k}":' || ${value}`;
  });
  return parts.length === 0 ? `'{}'` : `(${parts.join(' || ')} || '}')`;
}
