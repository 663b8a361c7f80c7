import { randomBytes } from 'node:crypto';
import { keyId } from '../config/load-config';
import { TokenCipher, tokenAad } from './token-cipher';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const cipher = (current: Buffer, old: Buffer[] = []) =>
  new TokenCipher({ tokenKeys: { current: { id: keyId(current), key: current }, old: old.map((key) => ({ id: keyId(key), key })) } });

describe('TokenCipher', () => {
  it('round-trips and never stores the plaintext', () => {
    const c = cipher(k1);
    const enc = c.encrypt('act.secret-token', tokenAad('acme', 'i1', 'access'));
    expect(enc).not.toContain('secret');
    expect(c.decrypt(enc, tokenAad('acme', 'i1', 'access'))).toBe('act.secret-token');
  });

  it('uses a fresh nonce each time', () => {
    const c = cipher(k1);
    expect(c.encrypt('x', 'a')).not.toBe(c.encrypt('x', 'a'));
  });

  it('refuses another row’s associated data', () => {
    const c = cipher(k1);
    const enc = c.encrypt('act.x', tokenAad('acme', 'i1', 'access'));
    expect(() => c.decrypt(enc, tokenAad('other', 'i1', 'access'))).toThrow();
    expect(() => c.decrypt(enc, tokenAad('acme', 'i1', 'refresh'))).toThrow();
  });

  it('decrypts with an old key after rotation, and names the key', () => {
    const enc = cipher(k1).encrypt('rft.y', 'a');
    const rotated = cipher(k2, [k1]);
    expect(rotated.decrypt(enc, 'a')).toBe('rft.y');
    expect(TokenCipher.keyIdOf(enc)).toBe(keyId(k1));
    expect(TokenCipher.keyIdOf(rotated.encrypt('z', 'a'))).toBe(keyId(k2));
    expect(() => cipher(k2).decrypt(enc, 'a')).toThrow(/TOKEN_ENCRYPTION_OLD_KEYS/);
  });
});
