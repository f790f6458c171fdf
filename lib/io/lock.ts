/**
 * One calico-shield run at a time per output folder: synth, check and nodes import take an
 * exclusive lock on the folder they write or compare, and fail at once when another run holds
 * it, naming that run. Nobody waits: an editor's on-save hook, a terminal and a CI job that
 * collide get a clear message instead of a dist/ mixed from two runs.
 *
 * The lock is a file in the folder, `.calico-shield-run.lock`, that names its holder (process,
 * host, command, start). It appears whole or not at all (a hard link of a complete file), and
 * a lock whose process is gone is taken over: exactly one of the runs that find it stale
 * removes it (the one that links it to `<lock>.stale-<nonce>` first), so two runs never both
 * believe they hold it.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { about, FileError, folderExists, isSystemError, readRegularFile, systemError, writeNewFile } from './files';

export const RUN_LOCK_FILE = '.calico-shield-run.lock';

/** Exit code of a run that found its folder locked by another run. */
export const BUSY_EXIT = 5;

/** Who holds a lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  /** ISO 8601 time at which the run took the lock. */
  readonly since: string;
  readonly nonce: string;
}

/** Another run holds the folder. */
export class BusyError extends Error {
  public constructor(
    public readonly folder: string,
    public readonly lockFile: string,
    public readonly holder: LockHolder,
  ) {
    super(`${folder} is locked by pid ${holder.pid}`);
    this.name = 'BusyError';
  }
}

export interface FolderLock {
  /** Removes the lock (and the folder when the lock created it and it is still empty). */
  release(): void;
}

export interface LockOptions {
  /** Create the folder when it is missing (synth); otherwise a missing folder needs no lock. */
  readonly create: boolean;
  /**
   * Whether a folder that cannot be written (a read-only checkout) may be used unlocked: true
   * for runs that only read it, since nobody can write there either.
   */
  readonly readOnly: boolean;
}

const NO_LOCK: FolderLock = { release: () => undefined };
const NONCE = /^[0-9a-f]{24}$/;

/** Whether the process that left something behind is gone (another host's processes are assumed running). */
export function processGone(pid: number, host = os.hostname()): boolean {
  if (host !== os.hostname()) return false;
  // This process holds no lock and owns no leftover yet: one with its pid is from an earlier
  // process that had the same pid (containers start their processes with the same pids).
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return !(isSystemError(e) && e.code === 'EPERM');
  }
}

/** Takes the lock of `dir` for `command`, or throws BusyError naming the run that holds it. */
export function lockFolder(dir: string, command: string, options: LockOptions): FolderLock {
  let created = false;
  if (!folderExists(dir)) {
    if (!options.create) return NO_LOCK;
    created = about(dir, () => fs.mkdirSync(dir, { recursive: true })) !== undefined;
  }
  const lockFile = path.join(dir, RUN_LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString(), nonce: randomBytes(12).toString('hex') };
  const text = `${JSON.stringify(holder)}\n`;
  const candidate = `${lockFile}.${process.pid}-${holder.nonce}`;
  try {
    about(candidate, () => writeNewFile(candidate, text));
  } catch (e) {
    if (options.readOnly && e instanceof FileError && isUnwritable(dir)) return NO_LOCK;
    throw e;
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(candidate, lockFile);
        return { release: () => release(dir, lockFile, text, created) };
      } catch (e) {
        if (!(isSystemError(e) && e.code === 'EEXIST')) throw isSystemError(e) ? systemError(e, lockFile) : e;
      }
      const found = readHolder(lockFile);
      if (found === undefined) continue;
      if (!processGone(found.holder.pid, found.holder.host) || attempt >= 5) throw new BusyError(dir, lockFile, found.holder);
      takeOverStale(lockFile, found.text, found.holder);
    }
  } finally {
    fs.rmSync(candidate, { force: true });
  }
}

/** The lock's holder; undefined when the lock was removed meanwhile. */
function readHolder(lockFile: string): { readonly text: string; readonly holder: LockHolder } | undefined {
  let read;
  try {
    read = readRegularFile(lockFile, 4096);
  } catch (e) {
    if (e instanceof FileError && !fs.existsSync(lockFile)) return undefined;
    throw e;
  }
  const text = 'bytes' in read ? read.bytes.toString('utf8') : '';
  const holder = parseHolder(text);
  if (!holder) {
    throw new FileError(lockFile, 'is not a lock calico-shield wrote', `delete it if no calico-shield runs here (calico-shield creates and removes ${RUN_LOCK_FILE} itself)`);
  }
  return { text, holder };
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<Record<keyof LockHolder, unknown>>;
    if (typeof v.pid === 'number' && Number.isSafeInteger(v.pid) && v.pid > 0 && typeof v.host === 'string' && typeof v.command === 'string' && typeof v.since === 'string' && typeof v.nonce === 'string' && NONCE.test(v.nonce)) {
      return { pid: v.pid, host: v.host, command: v.command, since: v.since, nonce: v.nonce };
    }
  } catch {
    // Not JSON: refused below.
  }
  return undefined;
}

/**
 * Removes a lock whose holder is gone, unless another run took it over first. Linking the lock
 * to a name derived from the stale holder fails for every run but one; the one that succeeds
 * checks that it linked the stale lock (not a fresh one that replaced it) before removing it.
 */
function takeOverStale(lockFile: string, text: string, holder: LockHolder): void {
  const marker = `${lockFile}.stale-${holder.nonce}`;
  try {
    fs.linkSync(lockFile, marker);
  } catch (e) {
    if (isSystemError(e) && (e.code === 'EEXIST' || e.code === 'ENOENT')) return;
    throw e;
  }
  try {
    const linked = readRegularFile(marker, 4096);
    if ('bytes' in linked && linked.bytes.toString('utf8') === text) fs.rmSync(lockFile, { force: true });
  } finally {
    fs.rmSync(marker, { force: true });
  }
}

/** Removes the lock if it is still this run's; never fails the run (a lock left behind is taken over as stale). */
function release(dir: string, lockFile: string, text: string, created: boolean): void {
  try {
    const read = readRegularFile(lockFile, 4096);
    if ('bytes' in read && read.bytes.toString('utf8') === text) fs.rmSync(lockFile);
    // The folder the lock created, unless the run wrote into it.
    if (created) fs.rmdirSync(dir);
  } catch {
    // Gone already, or not empty.
  }
}


function isUnwritable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return false;
  } catch {
    return true;
  }
}
