/**
 * Writes a run's output, every dist/<cluster>/ folder and every deploy/ manifest, as one
 * transaction: all of it or none of it.
 *
 * 1. Plan: compare what is there with what the run wants; refuse links, pipes and devices, and
 *    anything calico-shield did not write (a cluster folder is calico-shield's when its
 *    calico-shield.lock lists every file in it; a deploy/ manifest when it has the header
 *    calico-shield writes), since replacing or removing it would lose it.
 * 2. Stage: each new folder or file is written beside its place under a hidden name
 *    (`.<name>.tmp-<run>`) and synced. A failure here removes what was staged: nothing changed.
 * 3. Swap: a marker `.calico-shield-swap-<run>` in dist/ says the swap is under way; each live
 *    entry is renamed aside (`.<name>.old-<run>`, or an empty `.<name>.new-<run>` when there was
 *    none) and the staged one renamed in. Removing the marker is the commit.
 * 4. Clean up the entries set aside.
 *
 * A failure during the swap puts back what was swapped; when even that fails, PartialWriteError
 * names what is new. A run killed during the swap leaves the marker, and the next run (which
 * holds the folder's lock, lib/io/lock.ts) rolls the swap back from the names alone. Leftovers
 * of a run whose process still runs are never touched. `<run>` is `<pid>-<random>`.
 */
import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { compareByName } from '../calico/strings';
import { checkDns1123Label } from '../calico/validate';
import { about, entryType, FileError, isSystemError, normalizeLineEnds, readRegularFileOrFail, refusal, systemError, writeNewFile, type NewFileFs } from '../io/files';
import { processGone } from '../io/lock';
import { isRenderedDeployFile } from './deploy';

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

/** The rendered deploy/ manifests, paths relative to `dir` (deploy/ itself). */
export interface DeployOutput {
  readonly dir: string;
  readonly files: readonly OutputFile[];
}

/** A folder entry or the result of lstat: what it is, without following a link. */
export interface WriterEntry {
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

/** A folder entry, as `readdirSync(path, { withFileTypes: true })` returns it. */
export interface WriterDirent extends WriterEntry {
  readonly name: string;
}

/** The file system calls the writer makes; DEFAULT_FS is node:fs with bounded reads that follow no link. */
export interface WriterFs extends NewFileFs {
  mkdirSync(path: string, options: { readonly recursive: boolean }): void;
  renameSync(oldPath: string, newPath: string): void;
  rmSync(path: string, options: { readonly recursive: true; readonly force: true }): void;
  readdirSync(path: string, options: { readonly withFileTypes: true }): readonly WriterDirent[];
  lstatSync(path: string, options: { readonly throwIfNoEntry: false }): WriterEntry | undefined;
  readFileSync(path: string): Uint8Array;
}

const DEFAULT_FS: WriterFs = {
  mkdirSync: (path, options) => nodeFs.mkdirSync(path, options),
  openSync: (path, flags) => nodeFs.openSync(path, flags),
  writeFileSync: (fd, data) => nodeFs.writeFileSync(fd, data),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  closeSync: (fd) => nodeFs.closeSync(fd),
  renameSync: (oldPath, newPath) => nodeFs.renameSync(oldPath, newPath),
  rmSync: (path, options) => nodeFs.rmSync(path, options),
  readdirSync: (path, options) => nodeFs.readdirSync(path, options),
  lstatSync: (path, options) => nodeFs.lstatSync(path, options),
  readFileSync: (path) => readRegularFileOrFail(path),
};

export interface WriteOptions {
  /**
   * Remove the folders of clusters that are not in the outputs (their spec was deleted), and
   * the deploy/ manifests calico-shield rendered that are not in the deploy output.
   *
   * Only folders named like a cluster that hold a `calico-shield.lock` are removed;
   * anything else in dist/ is left alone.
   */
  readonly prune: boolean;
  /**
   * The file system to write to.
   *
   * @default DEFAULT_FS
   */
  readonly fs?: WriterFs;
  /**
   * Called after each step: `stage <n>` (the n-th entry is staged), `swap <n>` (the n-th entry is
   * swapped in), `commit`. Tests stop or kill the process there.
   *
   * @default - nothing
   */
  readonly onStep?: (step: string) => void;
}

/** Which clusters the run wrote, left as they were, or pruned. */
export interface WriteReport {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
}

/** What the run did to deploy/: paths relative to it. */
export interface DeployReport {
  readonly written: readonly string[];
  readonly removed: readonly string[];
}

/** Exit code of a run that failed part-way and could not put back what it had swapped. */
export const PARTIAL_WRITE_EXIT = 6;

/** The run failed during the swap and could not undo all of it. */
export class PartialWriteError extends Error {
  /**
   * @param replaced the folders and files (absolute) that hold the failed run's version, or are missing
   * @param failure what failed first
   */
  public constructor(
    public readonly replaced: readonly string[],
    public readonly failure: FileError,
  ) {
    super(`${failure.message}; could not put back ${replaced.join(', ')}`);
    this.name = 'PartialWriteError';
  }
}

/** The lock file marks a folder as a cluster folder calico-shield wrote (no .json/.yaml extension: Argo CD's directory mode would try to apply it). */
export const LOCK_FILE = 'calico-shield.lock';
const PATH_CHARACTERS = /^[A-Za-z0-9._/-]+$/;
/** An entry a run sets aside or stages: `.<name>.<kind>-<pid>-<random>`. */
const LEFTOVER = /^\.([a-z0-9]([a-z0-9.-]*[a-z0-9])?)\.(tmp|old|new)-([1-9][0-9]*)-([0-9a-f]{12})$/;
const SWAP_MARKER = /^\.calico-shield-swap-([1-9][0-9]*)-([0-9a-f]{12})$/;
/** The folders of deploy/ that calico-shield renders into; everything else there is the user's. */
const DEPLOY_FOLDERS: readonly string[] = ['argocd', 'flux'];
/** How deep folders may nest in a cluster folder or deploy/: calico-shield writes two levels. */
const MAX_DEPTH = 8;

type Next = { readonly kind: 'folder'; readonly files: readonly OutputFile[] } | { readonly kind: 'file'; readonly content: string };

/** One folder or file the run replaces, creates or removes. */
interface Slot {
  /** The folder that holds the entry. */
  readonly dir: string;
  readonly name: string;
  readonly existed: boolean;
  /** What takes its place; undefined: it is removed. */
  readonly next?: Next;
}

/** Writes the clusters' folders to `distDir` (and nothing else): writeOutputs without deploy/. */
export function writeDist(distDir: string, outputs: readonly ClusterOutput[], options: WriteOptions): WriteReport {
  return writeOutputs(distDir, outputs, undefined, options).dist;
}

/**
 * Writes every cluster's files to `<distDir>/<cluster>/` and, when given, the deploy/ manifests,
 * in one transaction. Folders and files whose bytes are already right are not touched at all,
 * so Argo CD and Flux see no change for them. The caller holds the lock of `distDir`.
 */
export function writeOutputs(distDir: string, outputs: readonly ClusterOutput[], deploy: DeployOutput | undefined, options: WriteOptions): { readonly dist: WriteReport; readonly deploy: DeployReport } {
  validate(outputs);
  const fs = options.fs ?? DEFAULT_FS;
  const type = kindOf(fs.lstatSync(distDir, { throwIfNoEntry: false }));
  if (type !== 'missing' && type !== 'folder') throw refuse(distDir, type, 'folder');
  about(distDir, () => fs.mkdirSync(distDir, { recursive: true }));
  const deployFolders = deploy ? existingDeployFolders(fs, deploy.dir) : [];
  recover(fs, distDir, deployFolders);

  const dist = planDist(fs, distDir, outputs, options.prune);
  const deployPlan = deploy ? planDeploy(fs, deploy, options.prune) : { slots: [], report: { written: [], removed: [] } };
  transaction(fs, distDir, [...dist.slots, ...deployPlan.slots], options.onStep ?? (() => undefined));
  return { dist: dist.report, deploy: deployPlan.report };
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

/** The folders of a relative POSIX path, innermost first: `a/b`, `a` for `a/b/c`. */
export function ancestors(path: string): string[] {
  const result: string[] = [];
  for (let folder = posix.dirname(path); folder !== '.'; folder = posix.dirname(folder)) {
    result.push(folder);
  }
  return result;
}

type Kind = 'missing' | 'folder' | 'file' | 'symlink' | 'other';

function kindOf(entry: WriterEntry | undefined): Kind {
  if (entry === undefined) return 'missing';
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isDirectory()) return 'folder';
  return entry.isFile() ? 'file' : 'other';
}

/** The refusal of an entry by its kind; `other` is told apart (pipe, socket, device) by lstat. */
function refuse(file: string, kind: Kind, wanted: 'file' | 'folder'): FileError {
  return refusal(file, kind === 'other' ? entryType(file) : kind, wanted);
}

/**
 * Every file of a folder with its bytes, by POSIX path relative to it. Links, pipes and devices
 * are refused, never followed or opened.
 */
export function readTree(root: string, fs: WriterFs = DEFAULT_FS): Map<string, Uint8Array> {
  const tree = new Map<string, Uint8Array>();
  const visit = (folder: string, depth: number): void => {
    const dir = folder === '' ? root : join(root, folder);
    if (depth > MAX_DEPTH) throw new FileError(dir, `nests folders more than ${MAX_DEPTH} levels deep`, 'calico-shield writes two levels: remove the folders below');
    const entries = [...about(dir, () => fs.readdirSync(dir, { withFileTypes: true }))].sort(compareByName);
    for (const entry of entries) {
      const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
      const kind = kindOf(entry);
      if (kind === 'folder') visit(path, depth + 1);
      else if (kind === 'file') tree.set(path, about(join(root, path), () => fs.readFileSync(join(root, path))));
      else throw refuse(join(root, path), kind, 'file');
    }
  };
  visit('', 0);
  return tree;
}

/** The text of a file as compared: a CRLF checkout counts as the LF text calico-shield writes. */
/** A file's text as calico-shield wrote it: UTF-8, CRLF line ends (a checkout with autocrlf) read as LF. */
export const textOf = (bytes: Uint8Array): string => normalizeLineEnds(Buffer.from(bytes).toString('utf8'));

/** Whether the tree holds exactly these files with this text, and no other file. */
function sameTree(tree: ReadonlyMap<string, Uint8Array>, files: readonly OutputFile[]): boolean {
  return tree.size === files.length && files.every((f) => {
    const bytes = tree.get(f.path);
    return bytes !== undefined && textOf(bytes) === f.content;
  });
}

/** Throws unless every file of a cluster folder is one its calico-shield.lock lists: only those may be replaced or removed. */
function assertOurs(folder: string, tree: ReadonlyMap<string, Uint8Array>): void {
  const lock = tree.get(LOCK_FILE);
  const listed = lock === undefined ? undefined : lockedFiles(textOf(lock));
  if (listed === undefined) {
    throw new FileError(
      folder,
      lock === undefined ? `was not written by calico-shield: it has no ${LOCK_FILE}` : `has a ${LOCK_FILE} that calico-shield did not write`,
      'move the folder out of dist/ (calico-shield replaces and removes only the folders it wrote)',
    );
  }
  for (const path of tree.keys()) {
    if (path !== LOCK_FILE && !listed.has(path)) {
      throw new FileError(join(folder, path), `was not written by calico-shield: ${LOCK_FILE} does not list it`, `move it out of ${basename(folder)}/ (calico-shield replaces the folder whole and removes only the files it wrote)`);
    }
  }
}

/** The files a calico-shield.lock lists; undefined when it is not one. */
function lockedFiles(text: string): Set<string> | undefined {
  try {
    const lock = JSON.parse(text) as { files?: unknown };
    if (typeof lock.files === 'object' && lock.files !== null && !Array.isArray(lock.files)) return new Set(Object.keys(lock.files));
  } catch {
    // Not JSON: not a lock calico-shield wrote.
  }
  return undefined;
}

function planDist(fs: WriterFs, distDir: string, outputs: readonly ClusterOutput[], prune: boolean): { readonly slots: readonly Slot[]; readonly report: WriteReport } {
  const entries = new Map(about(distDir, () => fs.readdirSync(distDir, { withFileTypes: true })).map((e) => [e.name, kindOf(e)]));
  const slots: Slot[] = [];
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const output of outputs) {
    const live = join(distDir, output.cluster);
    const kind = entries.get(output.cluster) ?? 'missing';
    if (kind !== 'missing' && kind !== 'folder') throw refuse(live, kind, 'folder');
    if (kind === 'folder') {
      const tree = readTree(live, fs);
      if (sameTree(tree, output.files)) {
        unchanged.push(output.cluster);
        continue;
      }
      assertOurs(live, tree);
    }
    slots.push({ dir: distDir, name: output.cluster, existed: kind === 'folder', next: { kind: 'folder', files: output.files } });
    written.push(output.cluster);
  }
  const removed: string[] = [];
  const keep = new Set(outputs.map((o) => o.cluster));
  for (const [name, kind] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (name.startsWith('.') || keep.has(name)) continue;
    // Every visible entry of dist/ is read by Argo CD's ApplicationSet or by a reviewer: a link there is refused.
    if (kind === 'symlink' || kind === 'other') throw refuse(join(distDir, name), kind, 'folder');
    if (!prune || kind !== 'folder' || checkDns1123Label(name) !== undefined) continue;
    if (kindOf(fs.lstatSync(join(distDir, name, LOCK_FILE), { throwIfNoEntry: false })) === 'missing') continue;
    const live = join(distDir, name);
    assertOurs(live, readTree(live, fs));
    slots.push({ dir: distDir, name, existed: true });
    removed.push(name);
  }
  return { slots, report: { written, unchanged, removed } };
}

/** deploy/argocd and deploy/flux, and the folders under them, that exist; links and files in their place are refused. */
function existingDeployFolders(fs: WriterFs, deployDir: string): string[] {
  const kind = kindOf(fs.lstatSync(deployDir, { throwIfNoEntry: false }));
  if (kind !== 'folder') throw refuse(deployDir, kind, 'folder');
  const folders: string[] = [];
  const visit = (dir: string, depth: number): void => {
    const type = kindOf(fs.lstatSync(dir, { throwIfNoEntry: false }));
    if (type === 'missing') return;
    if (type !== 'folder') throw refuse(dir, type, 'folder');
    if (depth > MAX_DEPTH) throw new FileError(dir, `nests folders more than ${MAX_DEPTH} levels deep`, 'calico-shield writes two levels: remove the folders below');
    folders.push(dir);
    for (const e of about(dir, () => fs.readdirSync(dir, { withFileTypes: true }))) if (kindOf(e) === 'folder') visit(join(dir, e.name), depth + 1);
  };
  for (const f of DEPLOY_FOLDERS) visit(join(deployDir, f), 0);
  return folders;
}

/**
 * The manifests calico-shield rendered before, under deploy/argocd and deploy/flux, by path:
 * the `.yaml` files with its header. The user's own manifests there are left out.
 */
export function renderedDeployFiles(deployDir: string, fs: WriterFs = DEFAULT_FS): { readonly ours: Map<string, string>; readonly theirs: Map<string, string> } {
  const ours = new Map<string, string>();
  const theirs = new Map<string, string>();
  for (const folder of DEPLOY_FOLDERS) {
    const dir = join(deployDir, folder);
    const kind = kindOf(fs.lstatSync(dir, { throwIfNoEntry: false }));
    if (kind === 'missing') continue;
    if (kind !== 'folder') throw refuse(dir, kind, 'folder');
    for (const [path, bytes] of readTree(dir, fs)) {
      if (!path.endsWith('.yaml')) continue;
      const text = textOf(bytes);
      (isRenderedDeployFile(text) ? ours : theirs).set(`${folder}/${path}`, text);
    }
  }
  return { ours, theirs };
}

function planDeploy(fs: WriterFs, deploy: DeployOutput, prune: boolean): { readonly slots: readonly Slot[]; readonly report: DeployReport } {
  const { ours, theirs } = renderedDeployFiles(deploy.dir, fs);
  const slots: Slot[] = [];
  const written: string[] = [];
  for (const f of deploy.files) {
    const file = join(deploy.dir, f.path);
    for (const folder of ancestors(f.path)) {
      const kind = kindOf(fs.lstatSync(join(deploy.dir, folder), { throwIfNoEntry: false }));
      if (kind !== 'missing' && kind !== 'folder') throw refuse(join(deploy.dir, folder), kind, 'folder');
    }
    const current = ours.get(f.path);
    if (current === f.content) continue;
    if (current === undefined && theirs.has(f.path)) {
      throw new FileError(file, 'was not written by calico-shield (it lacks the header calico-shield writes), and synth would replace it', 'rename your manifest, or delete it to let synth write this one');
    }
    const kind = current === undefined ? kindOf(fs.lstatSync(file, { throwIfNoEntry: false })) : 'file';
    if (kind !== 'missing' && kind !== 'file') throw refuse(file, kind, 'file');
    slots.push({ dir: dirname(file), name: basename(file), existed: current !== undefined, next: { kind: 'file', content: f.content } });
    written.push(f.path);
  }
  const wanted = new Set(deploy.files.map((f) => f.path));
  const removed = prune ? [...ours.keys()].filter((p) => !wanted.has(p)).sort() : [];
  for (const p of removed) slots.push({ dir: dirname(join(deploy.dir, p)), name: basename(p), existed: true });
  return { slots, report: { written, removed } };
}

const leftover = (slot: Slot, kind: 'tmp' | 'old' | 'new', run: string): string => join(slot.dir, `.${slot.name}.${kind}-${run}`);
const live = (slot: Slot): string => join(slot.dir, slot.name);

function transaction(fs: WriterFs, distDir: string, slots: readonly Slot[], onStep: (step: string) => void): void {
  if (slots.length === 0) return;
  const run = `${process.pid}-${randomBytes(6).toString('hex')}`;
  let staged = 0;
  try {
    for (const slot of slots) {
      if (!slot.next) continue;
      staged += 1;
      stage(fs, slot, slot.next, run);
      if (!slot.existed) createEmpty(fs, leftover(slot, 'new', run));
      onStep(`stage ${staged}`);
    }
  } catch (e) {
    for (const slot of slots) removeLeftovers(fs, slot, run);
    throw e;
  }
  const marker = join(distDir, `.calico-shield-swap-${run}`);
  const swapped: Slot[] = [];
  try {
    createEmpty(fs, marker);
    for (const slot of slots) {
      swapped.push(slot);
      if (slot.existed) about(live(slot), () => fs.renameSync(live(slot), leftover(slot, 'old', run)));
      if (slot.next) about(live(slot), () => fs.renameSync(leftover(slot, 'tmp', run), live(slot)));
      onStep(`swap ${swapped.length}`);
    }
    // The commit: from here on, a run that finds this run's leftovers removes them.
    about(marker, () => fs.rmSync(marker, { recursive: true, force: true }));
  } catch (e) {
    const stuck = rollBack(fs, swapped.reverse(), run);
    if (stuck.length > 0) throw new PartialWriteError(stuck, asFileError(e, distDir));
    removeQuietly(fs, marker);
    for (const slot of slots) removeLeftovers(fs, slot, run);
    throw e;
  }
  onStep('commit');
  for (const slot of slots) removeLeftovers(fs, slot, run);
}

function asFileError(e: unknown, file: string): FileError {
  if (e instanceof FileError) return e;
  return isSystemError(e) ? systemError(e, file) : new FileError(file, e instanceof Error ? e.message : String(e));
}

/** Writes a slot's new folder or file under its staging name, synced: after a power loss the swapped-in entry holds no empty file. */
function stage(fs: WriterFs, slot: Slot, next: Next, run: string): void {
  const temp = leftover(slot, 'tmp', run);
  // Failures name the live path: that is the file the user knows.
  if (next.kind === 'file') {
    about(slot.dir, () => fs.mkdirSync(slot.dir, { recursive: true }));
    about(live(slot), () => writeNewFile(temp, next.content, fs));
    return;
  }
  about(live(slot), () => fs.mkdirSync(temp, { recursive: false }));
  const made = new Set<string>();
  for (const { path, content } of next.files) {
    const folder = posix.dirname(path);
    if (folder !== '.' && !made.has(folder)) {
      about(join(live(slot), folder), () => fs.mkdirSync(join(temp, folder), { recursive: true }));
      made.add(folder);
    }
    about(join(live(slot), path), () => writeNewFile(join(temp, path), content, fs));
  }
}


function createEmpty(fs: WriterFs, file: string): void {
  about(file, () => fs.closeSync(fs.openSync(file, 'wx')));
}

/** Puts the swapped slots back, last first; returns the live paths that could not be put back. */
function rollBack(fs: WriterFs, swapped: readonly Slot[], run: string): string[] {
  const stuck: string[] = [];
  for (const slot of swapped) {
    try {
      putBack(fs, slot, run);
    } catch {
      stuck.push(live(slot));
    }
  }
  return stuck;
}

/**
 * Undoes the swap of one slot from what is on disk: the staged entry still there means the new
 * one never went live; an entry set aside (`old`) is the one to put back.
 */
function putBack(fs: WriterFs, slot: Slot, run: string): void {
  const present = (file: string): boolean => fs.lstatSync(file, { throwIfNoEntry: false }) !== undefined;
  const temp = leftover(slot, 'tmp', run);
  const wasSetAside = present(leftover(slot, 'old', run)) || present(leftover(slot, 'new', run));
  if (wasSetAside && !present(temp) && present(live(slot))) fs.renameSync(live(slot), temp);
  const old = leftover(slot, 'old', run);
  if (present(old) && !present(live(slot))) fs.renameSync(old, live(slot));
}

function removeLeftovers(fs: WriterFs, slot: Slot, run: string): void {
  for (const kind of ['tmp', 'old', 'new'] as const) removeQuietly(fs, leftover(slot, kind, run));
}

/** Removes what a run left behind; a failure only leaves it for the next run. */
function removeQuietly(fs: WriterFs, file: string): void {
  try {
    fs.rmSync(file, { recursive: true, force: true });
  } catch {
    // The next run removes it.
  }
}

/**
 * Undoes what runs that are gone left: a run killed during its swap (its marker is still in
 * dist/) is rolled back; the staged and set-aside entries of any other gone run are removed.
 */
function recover(fs: WriterFs, distDir: string, deployFolders: readonly string[]): void {
  const gone = new Map<string, boolean>();
  const isGone = (pid: string, run: string): boolean => {
    let g = gone.get(run);
    if (g === undefined) gone.set(run, (g = processGone(Number(pid))));
    return g;
  };
  const unfinished = new Set<string>();
  const markers: string[] = [];
  for (const e of about(distDir, () => fs.readdirSync(distDir, { withFileTypes: true }))) {
    const m = SWAP_MARKER.exec(e.name);
    if (m && isGone(m[1], `${m[1]}-${m[2]}`)) {
      unfinished.add(`${m[1]}-${m[2]}`);
      markers.push(join(distDir, e.name));
    }
  }
  for (const dir of [distDir, ...deployFolders]) {
    const slots = new Map<string, { readonly slot: Slot; readonly run: string }>();
    for (const e of about(dir, () => fs.readdirSync(dir, { withFileTypes: true }))) {
      const m = LEFTOVER.exec(e.name);
      if (!m || m[1] === '.' || m[1] === '..') continue;
      const run = `${m[4]}-${m[5]}`;
      if (isGone(m[4], run)) slots.set(`${m[1]} ${run}`, { slot: { dir, name: m[1], existed: true }, run });
    }
    for (const { slot, run } of slots.values()) {
      if (unfinished.has(run)) about(live(slot), () => putBack(fs, slot, run));
      for (const kind of ['tmp', 'old', 'new'] as const) about(leftover(slot, kind, run), () => fs.rmSync(leftover(slot, kind, run), { recursive: true, force: true }));
    }
  }
  for (const marker of markers) about(marker, () => fs.rmSync(marker, { recursive: true, force: true }));
}

/**
 * Replaces one file by rename from a synced sibling, so it holds the old or the new text,
 * never a mix (a spec rewritten by `nodes import`). Keeps the file's mode.
 */
export function writeFileAtomically(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const mode = about(file, () => nodeFs.lstatSync(file, { throwIfNoEntry: false })?.mode ?? 0o644) & 0o777;
  about(dirname(file), () => nodeFs.mkdirSync(dirname(file), { recursive: true }));
  try {
    about(file, () => {
      const fd = nodeFs.openSync(tmp, 'wx', mode);
      try {
        nodeFs.writeFileSync(fd, text, 'utf8');
        nodeFs.fsyncSync(fd);
      } finally {
        nodeFs.closeSync(fd);
      }
      nodeFs.renameSync(tmp, file);
    });
  } catch (e) {
    nodeFs.rmSync(tmp, { force: true });
    throw e;
  }
}
