import type { Checkpoint } from '../../api/contract';

const fromBase64 = (b64: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));

/**
 * Checks a checkpoint's Ed25519 signature in the browser (WebCrypto) against the published key:
 * the signature covers the RFC 8785 (JCS) form of `{tenant, seq, hash, signedAt}`. For this flat
 * object of strings and an integer, JCS is JSON with the keys in code-point order.
 */
export async function verifyCheckpoint(
  publicKeySpkiBase64: string,
  c: Checkpoint,
): Promise<boolean> {
  const key = await crypto.subtle.importKey(
    'spki',
    fromBase64(publicKeySpkiBase64),
    { name: 'Ed25519' },
    false,
    ['verify'],
  );
  const jcs = JSON.stringify({ hash: c.hash, seq: c.seq, signedAt: c.signedAt, tenant: c.tenant });
  return crypto.subtle.verify(
    { name: 'Ed25519' },
    key,
    fromBase64(c.signature),
    new TextEncoder().encode(jcs),
  );
}
