import type { TokenCipher } from '@shared/crypto/token-cipher';
import type { Database } from '@shared/database/database';
import { TokenStore } from '../infrastructure/token-store';

/**
 * Re-encrypts every token row not under the current key, in one system-scope transaction (rows
 * locked, so a concurrent refresh waits). Returns how many rows moved.
 */
export function reencryptTokens(db: Database, cipher: TokenCipher): Promise<number> {
  const store = new TokenStore(cipher);
  return db.inSystem((tx) => store.reencryptAll(tx));
}
