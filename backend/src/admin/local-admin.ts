/**
 * How the CLI reaches a server that holds the embedded database: the server writes `admin.json` into DATA_DIR
 * (mode 0600: only the owner of the data folder may read it) with its URL and a random secret; the CLI sends the
 * secret as a bearer token to POST /_admin/cli. A new secret every start; the file goes when the server stops.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface LocalAdminEndpoint {
  url: string;
  secret: string;
  pid: number;
}

const adminFile = (dataDir: string) => path.join(dataDir, 'admin.json');

export function newAdminSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function writeLocalAdminEndpoint(dataDir: string, endpoint: LocalAdminEndpoint): () => void {
  const file = adminFile(dataDir);
  rmSync(file, { force: true });
  writeFileSync(file, JSON.stringify(endpoint), { mode: 0o600, flag: 'wx' });
  return () => {
    if (readLocalAdminEndpoint(dataDir)?.secret === endpoint.secret) rmSync(file, { force: true });
  };
}

export function readLocalAdminEndpoint(dataDir: string): LocalAdminEndpoint | undefined {
  try {
    return JSON.parse(readFileSync(adminFile(dataDir), 'utf8')) as LocalAdminEndpoint;
  } catch {
    return undefined;
  }
}

export function isAdminSecret(given: string | undefined, secret: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}
