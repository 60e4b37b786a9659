import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * AES-256-GCM with a key id in every ciphertext, so keys can rotate: the first key of the ring encrypts,
 * every key decrypts. Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The purpose
 * (e.g. "jira_connections.access_token") is bound as additional data, so a ciphertext cannot be moved
 * to another column and still decrypt.
 */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export class Encryptor {
  private readonly byId: Map<string, Buffer>;
  constructor(readonly keys: EncryptionKey[]) {
    if (keys.length === 0) throw new Error('at least one encryption key is required');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get activeKeyId(): string {
    return this.keys[0].id;
  }

  encrypt(plaintext: string, purpose: string): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      id,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  decrypt(ciphertext: string, purpose: string): string {
    const [version, keyId, iv, tag, body] = ciphertext.split('.');
    const key = this.byId.get(keyId);
    if (version !== 'v1' || !key || !iv || !tag || body === undefined) {
      throw new Error(`cannot decrypt: unknown format or key id "${keyId}"`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** The key id a ciphertext was made with (to find what still needs re-encrypting). */
  static keyIdOf(ciphertext: string): string | undefined {
    return ciphertext.split('.')[1];
  }
}

/** Parses `ENCRYPTION_KEYS` (`id:base64,id:base64`; the first encrypts). */
export function parseKeyList(value: string): EncryptionKey[] {
  const keys = value.split(',').map((entry, index) => {
    const [id, encoded] = entry.trim().split(':');
    if (!id || !encoded || !/^[A-Za-z0-9_-]+$/.test(id)) {
      throw new Error(`ENCRYPTION_KEYS entry ${index + 1} must look like "keyId:base64key"`);
    }
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32)
      throw new Error(`ENCRYPTION_KEYS key "${id}" must be 32 bytes (base64), got ${key.length}`);
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length)
    throw new Error('ENCRYPTION_KEYS has a repeated key id');
  return keys;
}

export function formatKeyList(keys: EncryptionKey[]): string {
  return keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
}

export function generateKey(): EncryptionKey {
  return { id: `k${Date.now().toString(36)}`, key: randomBytes(32) };
}

const KEY_FILE = 'encryption-keys';

/**
 * The key ring: from ENCRYPTION_KEYS when set; otherwise a development ring kept in the data folder,
 * created on first use (readable by the owner only).
 */
export function loadKeyRing(options: { encryptionKeys?: EncryptionKey[]; dataDir: string }): {
  keys: EncryptionKey[];
  source: 'environment' | 'file';
  file?: string;
} {
  if (options.encryptionKeys) return { keys: options.encryptionKeys, source: 'environment' };
  const file = path.join(options.dataDir, KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(file, `${formatKeyList([generateKey()])}\n`, { mode: 0o600 });
  }
  return { keys: parseKeyList(readFileSync(file, 'utf8').trim()), source: 'file', file };
}

export function saveKeyFile(file: string, keys: EncryptionKey[]): void {
  writeFileSync(file, `${formatKeyList(keys)}\n`, { mode: 0o600 });
}
