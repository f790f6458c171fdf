/**
 * The working tree as untrusted input: clusters/, dist/ and deploy/ come from pull requests, so
 * reading them follows no symbolic link, opens nothing but regular files and folders, and reads
 * no more than MAX_FILE_BYTES. Every refusal and every failure of the operating system is a
 * FileError: one line, `error: <path>: <reason>`, with a hint when there is one.
 */
import * as fs from 'node:fs';

/** The largest file calico-shield reads (specs, dist/, deploy/, node inventories). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Exit code of a run that stopped on a FileError: nothing was changed. */
export const FILE_ERROR_EXIT = 4;

/** A file or folder calico-shield cannot or will not read or write. */
export class FileError extends Error {
  /**
   * @param file the file or folder, absolute (shown relative to the working directory), or a label such as `(stdin)`
   * @param reason what is wrong, phrased to follow the path
   */
  public constructor(
    public readonly file: string,
    public readonly reason: string,
    public readonly hint?: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'FileError';
  }
}

/** An error of the operating system, as node:fs throws it. */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException & { readonly code: string } {
  // Duck-typed: an error of node:fs need not be an instance of this realm's Error (a vm context, jest).
  return typeof e === 'object' && e !== null && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** What each error of the operating system means for the user, and what to do about it. */
export const SYSTEM_ERRORS: Readonly<Record<string, { readonly reason: string; readonly hint?: string }>> = {
  ENOENT: { reason: 'does not exist' },
  EACCES: { reason: 'permission denied', hint: 'give your user read and write access to it and to the folders above it' },
  EPERM: { reason: 'operation not permitted', hint: 'give your user read and write access to it and to the folders above it' },
  EROFS: { reason: 'is on a read-only file system', hint: 'run calico-shield in a writable checkout' },
  ENOSPC: { reason: 'no space left on the device', hint: 'free some disk space and run again' },
  EDQUOT: { reason: 'disk quota exceeded', hint: 'free some disk space and run again' },
  EFBIG: { reason: 'file too large for the file system or the file size limit (ulimit -f)', hint: 'raise the limit or free some disk space, and run again' },
  ENOTDIR: { reason: 'a part of the path is a file, not a folder', hint: 'move the file that is in the way' },
  EISDIR: { reason: 'is a folder, not a file', hint: 'move the folder that is in the way' },
  EEXIST: { reason: 'already exists', hint: 'move it out of the way' },
  ENOTEMPTY: { reason: 'is a folder that is not empty', hint: 'move it out of the way' },
  ELOOP: { reason: 'is a symbolic link, or a loop of them', hint: 'calico-shield follows no links: replace the link with the file or folder itself' },
  ENAMETOOLONG: { reason: 'the path is too long' },
  EMFILE: { reason: 'too many open files', hint: 'raise the limit of open files (ulimit -n)' },
  ENFILE: { reason: 'too many open files in the system' },
  EIO: { reason: 'input/output error of the device', hint: 'check the disk' },
  EBUSY: { reason: 'is busy', hint: 'close the program that holds it' },
  ENXIO: { reason: 'is a socket or a device without a reader', hint: 'calico-shield reads regular files only' },
  EXDEV: { reason: 'is on another file system than its folder', hint: 'keep dist/ and deploy/ on one file system each' },
};

/** An error of the operating system as a FileError about `file` (the path it names, by default). */
export function systemError(e: NodeJS.ErrnoException & { readonly code: string }, file = e.path ?? `(${e.syscall ?? 'system call'})`): FileError {
  const known = SYSTEM_ERRORS[e.code];
  const reason = known ? known.reason : `${e.syscall ?? 'system call'} failed with ${e.code}`;
  return new FileError(file, reason, known?.hint);
}

/** Runs `action`; an error of the operating system becomes a FileError about `file`. */
export function about<T>(file: string, action: () => T): T {
  try {
    return action();
  } catch (e) {
    throw isSystemError(e) ? systemError(e, file) : e;
  }
}

/** A folder entry's type, without following a link. */
export type EntryType = 'missing' | 'file' | 'folder' | 'symlink' | 'fifo' | 'socket' | 'device' | 'other';

export function entryType(file: string): EntryType {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file, { throwIfNoEntry: false });
  } catch (e) {
    // A file where a folder of the path should be: nothing is there.
    if (isSystemError(e) && e.code === 'ENOTDIR') return 'missing';
    throw isSystemError(e) ? systemError(e, file) : e;
  }
  return st === undefined ? 'missing' : typeOf(st);
}

function typeOf(st: fs.Stats | fs.Dirent): EntryType {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'folder';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'device';
  return 'other';
}

/** The refusal of an entry that is not what calico-shield reads there. */
export function refusal(file: string, found: EntryType, wanted: 'file' | 'folder'): FileError {
  switch (found) {
    case 'symlink':
      return new FileError(file, 'is a symbolic link; calico-shield follows no links in clusters/, dist/ and deploy/', `replace the link with the ${wanted} itself, or remove it`);
    case 'folder':
      return new FileError(file, 'is a folder, not a file', 'move the folder out of the way');
    case 'file':
      return new FileError(file, 'is a file, not a folder', 'move the file out of the way');
    case 'missing':
      return new FileError(file, 'does not exist');
    default:
      return new FileError(file, `is a ${found === 'fifo' ? 'named pipe (FIFO)' : found === 'other' ? 'special file' : found}, not a ${wanted === 'file' ? 'regular file' : 'folder'}`, 'calico-shield reads regular files and folders only: remove it');
  }
}

/** Whether the folder exists; a link, a file or anything else in its place is refused. */
export function folderExists(dir: string): boolean {
  const type = entryType(dir);
  if (type === 'missing') return false;
  if (type !== 'folder') throw refusal(dir, type, 'folder');
  return true;
}

export type BoundedRead = { readonly bytes: Buffer } | { readonly tooLarge: number };

/**
 * Reads a regular file, refusing links, folders, pipes and devices before opening them (and
 * again on the open descriptor, O_NOFOLLOW and O_NONBLOCK, so nothing blocks), and stopping
 * past `max` bytes without reading the rest.
 */
export function readRegularFile(file: string, max = MAX_FILE_BYTES): BoundedRead {
  const before = entryType(file);
  if (before !== 'file') throw refusal(file, before, 'file');
  const flags = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);
  const fd = about(file, () => fs.openSync(file, flags));
  try {
    const st = about(file, () => fs.fstatSync(fd));
    if (!st.isFile()) throw refusal(file, typeOf(st), 'file');
    if (st.size > max) return { tooLarge: st.size };
    return readAll(fd, file, max);
  } finally {
    fs.closeSync(fd);
  }
}

/** readRegularFile, with a file over the limit refused. */
export function readRegularFileOrFail(file: string, max = MAX_FILE_BYTES): Buffer {
  const read = readRegularFile(file, max);
  if ('tooLarge' in read) throw tooLarge(file, read.tooLarge, max);
  return read.bytes;
}

export function tooLarge(file: string, size: number, max = MAX_FILE_BYTES): FileError {
  return new FileError(file, `has ${size} bytes or more, more than the ${max} calico-shield reads`, 'calico-shield writes and reads files of a few megabytes at most: remove or shorten it');
}

/**
 * Reads a descriptor to its end, at most `max` bytes (past that: tooLarge, the rest unread). A
 * descriptor another program left non-blocking is polled with a short sleep, never read with
 * readFileSync, which fails with EAGAIN on an empty pipe.
 */
export function readAll(fd: number, label: string, max = MAX_FILE_BYTES): BoundedRead {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if (isSystemError(e) && (e.code === 'EAGAIN' || e.code === 'EWOULDBLOCK')) {
        // Nothing to read yet from a non-blocking pipe: wait for the writer without spinning.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      // Windows reports the end of a pipe as an error.
      if (isSystemError(e) && e.code === 'EOF') break;
      throw isSystemError(e) ? systemError(e, label) : e;
    }
    if (n === 0) break;
    total += n;
    if (total > max) return { tooLarge: total };
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return { bytes: Buffer.concat(chunks) };
}

/** Text as compared: a CRLF checkout (git's autocrlf) reads as the LF text it stands for. */
export function normalizeLineEnds(text: string): string {
  return text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
}

/** The calls writeNewFile makes: node:fs, or a test's stand-in for it. */
export interface NewFileFs {
  openSync(path: string, flags: 'wx'): number;
  writeFileSync(fd: number, data: string): void;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
}

/** Creates `file` (never over an existing one: `wx`) with `content`, flushed to disk before it returns. */
export function writeNewFile(file: string, content: string, files: NewFileFs = fs): void {
  const fd = files.openSync(file, 'wx');
  try {
    files.writeFileSync(fd, content);
    files.fsyncSync(fd);
  } finally {
    files.closeSync(fd);
  }
}
