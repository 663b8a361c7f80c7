import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson } from '@shared/event-log/jcs';
import defaults from './policies.data.json';

/** One policy an admin accepts before connecting. */
export interface Policy {
  id: 'tiktok-terms' | 'tiktok-privacy' | 'echo-terms' | 'echo-privacy';
  title: string;
  url: string;
  version: string;
}

export interface PolicyCatalog {
  policies: Policy[];
  /** digest of every policy id and version: an acceptance is of exactly this set */
  policyVersion: string;
  scopes: string[];
}

const REQUIRED = ['tiktok-terms', 'tiktok-privacy', 'echo-terms', 'echo-privacy'];

/**
 * The policies and scopes are data (`policies.data.json`, or the file named by `POLICIES_FILE` so
 * legal can publish a new version without a release). A new version changes `policyVersion`, and
 * a connect against the old one is refused, so every acceptance names what was on screen.
 */
export function loadPolicyCatalog(file = process.env.POLICIES_FILE): PolicyCatalog {
  const raw = (file ? JSON.parse(readFileSync(file, 'utf8')) : defaults) as { scopes: string[]; policies: Policy[] };
  const ids = raw.policies.map((p) => p.id);
  for (const id of REQUIRED) if (!ids.includes(id as Policy['id'])) throw new Error(`policies: ${id} is missing`);
  const policyVersion = createHash('sha256')
    .update(canonicalJson(raw.policies.map((p) => ({ id: p.id, version: p.version })).sort((a, b) => (a.id < b.id ? -1 : 1))))
    .digest('hex')
    .slice(0, 16);
  return { policies: raw.policies, policyVersion, scopes: raw.scopes };
}
