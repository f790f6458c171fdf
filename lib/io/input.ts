/**
 * What the user hands calico-shield on the command line: standard input and `--file`. Unlike
 * the working tree, these may be pipes (`kubectl … |`, `--file <(kubectl …)`): they are read to
 * their end, at most MAX_FILE_BYTES.
 */
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { about, FileError, MAX_FILE_BYTES, readAll, tooLarge } from './files';

export const STDIN_LABEL = '(stdin)';

/**
 * Standard input, read to its end; undefined for a terminal.
 *
 * process.stdin is never touched: creating it makes descriptor 0 non-blocking, and a
 * synchronous read of an empty non-blocking pipe fails with EAGAIN whenever the producer is
 * slower than calico-shield.
 */
export function readStdin(fd = 0, max = MAX_FILE_BYTES): string | undefined {
  if (tty.isatty(fd)) return undefined;
  const read = readAll(fd, STDIN_LABEL, max);
  if ('tooLarge' in read) throw tooLarge(STDIN_LABEL, read.tooLarge, max);
  return read.bytes.toString('utf8');
}

/** A file named on the command line: a regular file, a link to one, or a pipe. */
export function readInputFile(file: string): string {
  const fd = about(file, () => fs.openSync(file, 'r'));
  try {
    if (about(file, () => fs.fstatSync(fd)).isDirectory()) throw new FileError(file, 'is a folder, not a file');
    const read = readAll(fd, file);
    if ('tooLarge' in read) throw tooLarge(file, read.tooLarge);
    return read.bytes.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
