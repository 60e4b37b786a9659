import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Encryptor, generateKey, parseKeyList } from './encryption';

describe('Encryptor', () => {
  const oldKey = generateKey();
  const newKey = { ...generateKey(), id: 'knew' };

  it('round-trips any text for its purpose', () => {
    const encryptor = new Encryptor([oldKey]);
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(encryptor.decrypt(encryptor.encrypt(text, 'p'), 'p')).toBe(text);
      }),
    );
  });

  it('never shows the plaintext and never repeats a ciphertext', () => {
    const encryptor = new Encryptor([oldKey]);
    const a = encryptor.encrypt('refresh-token-123', 'p');
    const b = encryptor.encrypt('refresh-token-123', 'p');
    expect(a).not.toContain('refresh-token-123');
    expect(a).not.toBe(b);
  });

  it('refuses a ciphertext moved to another purpose or tampered with', () => {
    const encryptor = new Encryptor([oldKey]);
    const ciphertext = encryptor.encrypt('secret', 'jira_connections.access_token');
    expect(() => encryptor.decrypt(ciphertext, 'jira_connections.client_secret')).toThrow();
    const parts = ciphertext.split('.');
    parts[4] = Buffer.from('other').toString('base64url');
    expect(() => encryptor.decrypt(parts.join('.'), 'jira_connections.access_token')).toThrow();
  });

  it('keeps old ciphertexts readable after a new key takes over', () => {
    const before = new Encryptor([oldKey]).encrypt('secret', 'p');
    const rotated = new Encryptor([newKey, oldKey]);
    expect(rotated.decrypt(before, 'p')).toBe('secret');
    expect(Encryptor.keyIdOf(rotated.encrypt('secret', 'p'))).toBe('knew');
    expect(() => new Encryptor([newKey]).decrypt(before, 'p')).toThrow(/unknown format or key id/);
  });

  it('explains malformed ENCRYPTION_KEYS', () => {
    expect(() => parseKeyList('nocolon')).toThrow('ENCRYPTION_KEYS entry 1 must look like "keyId:base64key"');
    expect(() => parseKeyList('k1:c2hvcnQ=')).toThrow(
      'ENCRYPTION_KEYS key "k1" must be 32 bytes (base64), got 5',
    );
    const valid = Buffer.alloc(32, 1).toString('base64');
    expect(() => parseKeyList(`k1:${valid},k1:${valid}`)).toThrow('ENCRYPTION_KEYS has a repeated key id');
  });
});
