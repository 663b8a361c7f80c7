import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig, type TokenKeys } from '../config/app-config';

/**
 * AES-256-GCM for secrets at rest (TikTok tokens). Each value gets a random 96-bit nonce; the
 * associated data binds it to where it belongs (tenant, integration, kind), so a ciphertext copied
 * to another row does not decrypt. Stored form: `v1.<keyId>.<nonce>.<ciphertext>.<tag>` (base64url),
 * the key id also in its own column so a rotation can find what to re-encrypt.
 */
@Injectable()
export class TokenCipher {
  private readonly keys: TokenKeys;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'tokenKeys'>) {
    this.keys = config.tokenKeys;
  }

  get currentKeyId(): string {
    return this.keys.current.id;
  }

  encrypt(plaintext: string, aad: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.current.key, nonce);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', this.keys.current.id, nonce.toString('base64url'), ct.toString('base64url'), tag.toString('base64url')].join('.');
  }

  decrypt(stored: string, aad: string): string {
    const [v, keyId, nonce, ct, tag] = stored.split('.');
    if (v !== 'v1' || !keyId || !nonce || ct === undefined || !tag) throw new Error('token ciphertext is malformed');
    const key = [this.keys.current, ...this.keys.old].find((k) => k.id === keyId);
    if (!key) throw new Error(`no key ${keyId} to decrypt a stored token (set TOKEN_ENCRYPTION_OLD_KEYS)`);
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** The key id a stored value was encrypted with. */
  static keyIdOf(stored: string): string | undefined {
    return stored.split('.')[1];
  }
}

/** Associated data for one token of one integration. */
export function tokenAad(tenant: string, integrationId: string, kind: 'access' | 'refresh'): string {
  return `tiktok-token/${tenant}/${integrationId}/${kind}`;
}
