/**
 * The embedded database is opened by one process at a time: PGlite has no locking of its own, and two
 * processes writing one data folder lose each other's writes. The holder writes `pglite.lock` (pid, host,
 * start time) with O_EXCL; a lock whose process is gone (same host, pid not alive) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { operationsMessages } from '@jira-integration/shared';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(operationsMessages.dataDirLocked(dataDir, holder));
    this.name = 'DataDirLockedError';
  }
}

const lockPath = (dataDir: string) => path.join(dataDir, 'pglite.lock');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of the data folder's lock, if any (a stale lock reads as none). */
export function readLockHolder(dataDir: string): LockHolder | undefined {
  let holder: LockHolder;
  try {
    holder = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
  if (holder.host === hostname() && !isAlive(holder.pid)) return undefined;
  return holder;
}

/** Takes the lock or throws DataDirLockedError naming the holder; returns the release function. */
export function lockDataDir(dataDir: string, command = process.argv.slice(1).join(' ')): () => void {
  const file = lockPath(dataDir);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return () => {
        // Only our own lock: a taker after a crash must not lose theirs.
        if (readLockHolder(dataDir)?.pid === me.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLockHolder(dataDir);
    if (holder) throw new DataDirLockedError(dataDir, holder);
    // Stale (its process is gone) or unreadable: remove it and try again; O_EXCL settles a race of takers.
    rmSync(file, { force: true });
  }
  const holder = readLockHolder(dataDir);
  throw new DataDirLockedError(dataDir, holder ?? { ...me, pid: -1, command: 'unknown' });
}
