import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { checkDns1123Label } from '../calico/validate';

/** One file of a cluster's output. */
export interface OutputFile {
  /** POSIX path relative to the cluster folder, e.g. `01-policies/kustomization.yaml`. */
  readonly path: string;
  /** The file's text, written as UTF-8. */
  readonly content: string;
}

/** Everything calico-shield writes for one cluster, in `dist/<cluster>/`. */
export interface ClusterOutput {
  /** The cluster's name, a DNS-1123 label; also the name of its folder. */
  readonly cluster: string;
  readonly files: readonly OutputFile[];
}

/** A folder entry, as `readdirSync(path, { withFileTypes: true })` returns it. */
export interface WriterDirent {
  readonly name: string;
  isDirectory(): boolean;
  isFile(): boolean;
}

/** The file system calls `writeDist` makes; `node:fs` is one. */
export interface WriterFs {
  mkdirSync(path: string, options: { readonly recursive: boolean }): void;
  openSync(path: string, flags: 'w'): number;
  writeFileSync(fd: number, data: string): void;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(oldPath: string, newPath: string): void;
  rmSync(path: string, options: { readonly recursive: true; readonly force: true }): void;
  readdirSync(path: string, options: { readonly withFileTypes: true }): readonly WriterDirent[];
  readFileSync(path: string): Uint8Array;
  existsSync(path: string): boolean;
}

export interface WriteOptions {
  /**
   * Remove the folders of clusters that are not in the outputs (their spec was deleted).
   *
   * Only folders named like a cluster that hold a `calico-shield.lock` are removed;
   * anything else in dist/ is left alone.
   */
  readonly prune: boolean;
  /**
   * The file system to write to.
   *
   * @default node:fs
   */
  readonly fs?: WriterFs;
}

/** Which clusters `writeDist` wrote, left as they were, or pruned. */
export interface WriteReport {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
}

/** The lock file marks a folder as a cluster folder calico-shield wrote (no .json/.yaml extension: Argo CD's directory mode would try to apply it). */
export const LOCK_FILE = 'calico-shield.lock';
const PATH_CHARACTERS = /^[A-Za-z0-9._/-]+$/;
/** Folders a run leaves behind when it crashes: `.<cluster>.tmp-<suffix>` and `.<cluster>.old-<suffix>`. */
const LEFTOVER = /^\.([a-z0-9-]+)\.(tmp|old)-[0-9a-f]{12}$/;

/**
 * Writes every cluster's files to `<distDir>/<cluster>/`, swapping whole folders by rename, never editing one in place.
 *
 * A cluster's new files go to a hidden sibling folder first and are fsynced; the live folder is
 * then renamed aside and the new one renamed in, so `dist/<cluster>` holds the complete old or the
 * complete new tree, never a mix. Between the two renames the folder is briefly absent: a failure
 * there renames the old folder back, and a crash leaves it aside for the next run to put back
 * before anything else. Clusters whose files are byte-identical are not touched at all, so
 * Argo CD and Flux see no change for them.
 */
export function writeDist(distDir: string, outputs: readonly ClusterOutput[], options: WriteOptions): WriteReport {
  validate(outputs);
  const fs: WriterFs = options.fs ?? nodeFs;
  fs.mkdirSync(distDir, { recursive: true });
  recover(fs, distDir);

  const entries = new Map(fs.readdirSync(distDir, { withFileTypes: true }).map((entry) => [entry.name, entry.isDirectory()]));
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const output of outputs) {
    const isDirectory = entries.get(output.cluster);
    if (isDirectory === true && sameTree(fs, join(distDir, output.cluster), output.files)) {
      unchanged.push(output.cluster);
    } else {
      replace(fs, distDir, output, isDirectory !== undefined);
      written.push(output.cluster);
    }
  }
  const removed = options.prune ? prune(fs, distDir, entries, new Set(outputs.map((output) => output.cluster))) : [];
  return { written, unchanged, removed };
}

/** Output paths and cluster names come from calico-shield itself, so a bad one is a bug: throw before touching the disk. */
function validate(outputs: readonly ClusterOutput[]): void {
  const clusters = new Set<string>();
  for (const { cluster, files } of outputs) {
    if (checkDns1123Label(cluster) !== undefined) {
      throw new Error(`Cluster name "${cluster}" is not a DNS-1123 label (at most 63 characters: a-z, 0-9 and "-", starting and ending with a letter or digit).`);
    }
    if (clusters.has(cluster)) {
      throw new Error(`Cluster "${cluster}" appears twice in the outputs.`);
    }
    clusters.add(cluster);

    const paths = new Set<string>();
    const folders = new Set<string>();
    for (const { path } of files) {
      const problem = pathProblem(path);
      if (problem !== undefined) {
        throw new Error(`Output path "${path}" of cluster "${cluster}" ${problem}.`);
      }
      if (paths.has(path)) {
        throw new Error(`Output path "${path}" of cluster "${cluster}" appears twice.`);
      }
      paths.add(path);
      ancestors(path).forEach((folder) => folders.add(folder));
    }
    for (const path of paths) {
      if (folders.has(path)) {
        throw new Error(`Output path "${path}" of cluster "${cluster}" is both a file and a folder.`);
      }
    }
  }
}

function pathProblem(path: string): string | undefined {
  if (!PATH_CHARACTERS.test(path)) {
    return 'must be non-empty and hold only A-Z, a-z, 0-9, ".", "_", "-" and "/"';
  }
  if (path.startsWith('/')) {
    return 'must be relative to the cluster folder';
  }
  if (path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return 'must not hold empty, "." or ".." segments';
  }
  return undefined;
}

/** Undoes what a crashed run left: puts an old folder back if its cluster's folder is missing, removes the rest. */
function recover(fs: WriterFs, distDir: string): void {
  const names = fs.readdirSync(distDir, { withFileTypes: true }).map((entry) => entry.name).sort();
  const present = new Set(names);
  for (const name of names) {
    const match = LEFTOVER.exec(name);
    if (match === null) {
      continue;
    }
    const [, cluster, kind] = match;
    if (kind === 'old' && !present.has(cluster)) {
      // The run crashed between its two renames: this is the last complete folder.
      fs.renameSync(join(distDir, name), join(distDir, cluster));
      present.add(cluster);
    } else {
      fs.rmSync(join(distDir, name), { recursive: true, force: true });
    }
  }
}

/** Whether the folder holds exactly these files with exactly these bytes, and no other file or folder. */
function sameTree(fs: WriterFs, root: string, files: readonly OutputFile[]): boolean {
  const wanted = new Map(files.map((file) => [file.path, file.content]));
  const folders = new Set(files.flatMap((file) => ancestors(file.path)));
  let found = 0;
  const visit = (folder: string): boolean => {
    for (const entry of fs.readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!folders.has(path) || !visit(path)) {
          return false;
        }
        continue;
      }
      const content = wanted.get(path);
      if (content === undefined || !entry.isFile() || !Buffer.from(content, 'utf8').equals(fs.readFileSync(join(root, path)))) {
        return false;
      }
      found += 1;
    }
    return true;
  };
  return visit('') && found === wanted.size;
}

function ancestors(path: string): string[] {
  const result: string[] = [];
  for (let folder = posix.dirname(path); folder !== '.'; folder = posix.dirname(folder)) {
    result.push(folder);
  }
  return result;
}

function replace(fs: WriterFs, distDir: string, output: ClusterOutput, hasOld: boolean): void {
  const suffix = randomSuffix();
  const live = join(distDir, output.cluster);
  const temp = join(distDir, `.${output.cluster}.tmp-${suffix}`);
  const old = join(distDir, `.${output.cluster}.old-${suffix}`);
  try {
    writeTree(fs, temp, output.files);
    if (hasOld) {
      fs.renameSync(live, old);
    }
    try {
      fs.renameSync(temp, live);
    } catch (error) {
      if (hasOld) {
        fs.renameSync(old, live);
      }
      throw error;
    }
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  if (hasOld) {
    fs.rmSync(old, { recursive: true, force: true });
  }
}

function writeTree(fs: WriterFs, root: string, files: readonly OutputFile[]): void {
  fs.mkdirSync(root, { recursive: false });
  const made = new Set<string>();
  for (const { path, content } of files) {
    const folder = posix.dirname(path);
    if (folder !== '.' && !made.has(folder)) {
      fs.mkdirSync(join(root, folder), { recursive: true });
      made.add(folder);
    }
    // fsync before the rename, so that after a power loss the renamed folder does not hold empty files.
    const fd = fs.openSync(join(root, path), 'w');
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

function prune(fs: WriterFs, distDir: string, entries: ReadonlyMap<string, boolean>, keep: ReadonlySet<string>): string[] {
  const removed: string[] = [];
  for (const name of [...entries.keys()].sort()) {
    if (!entries.get(name) || keep.has(name) || checkDns1123Label(name) !== undefined || !fs.existsSync(join(distDir, name, LOCK_FILE))) {
      continue;
    }
    // Renamed out of the way first, so a crash never leaves a half-removed cluster folder in sight;
    // the next run removes a leftover .tmp- folder and never restores it.
    const trash = join(distDir, `.${name}.tmp-${randomSuffix()}`);
    fs.renameSync(join(distDir, name), trash);
    fs.rmSync(trash, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

/**
 * Replaces one file by rename from a synced sibling, so it holds the old or the new text,
 * never a mix (a spec rewritten by `nodes import`, a deploy/ manifest). Keeps the file's mode.
 */
export function writeFileAtomically(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${randomBytes(6).toString('hex')}`);
  const mode = nodeFs.existsSync(file) ? nodeFs.statSync(file).mode & 0o777 : 0o644;
  nodeFs.mkdirSync(dirname(file), { recursive: true });
  try {
    const fd = nodeFs.openSync(tmp, 'wx', mode);
    try {
      nodeFs.writeFileSync(fd, text, 'utf8');
      nodeFs.fsyncSync(fd);
    } finally {
      nodeFs.closeSync(fd);
    }
    nodeFs.renameSync(tmp, file);
  } catch (e) {
    nodeFs.rmSync(tmp, { force: true });
    throw e;
  }
}
