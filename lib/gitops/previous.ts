/**
 * A cluster folder a previous synth wrote, taken as it is: for clusters whose spec has not
 * changed since (synth compiles them again only with --force) and for the clusters that
 * `synth --cluster NAME` leaves alone.
 */
import { join } from 'node:path';
import { GENERATOR_VERSION } from '../version';
import { minorOfRelease } from '../calico/versions';
import { Lock, parseLock, sha256, specSha256 } from './render';
import { entryType, readRegularFileOrFail } from '../io/files';
import { ClusterOutput, LOCK_FILE, readTree, textOf } from './writer';

/** A folder that is as its calico-shield.lock says, and what deploy/ needs of it. */
export interface PreviousOutput {
  readonly output: ClusterOutput;
  /** The lock's build paths. */
  readonly gitopsPaths: readonly string[];
  /** Whether the lock was written for this spec file and its bytes by this calico-shield, modelling this Calico release. */
  readonly current: boolean;
}

/** The lock of `<distDir>/<cluster>/`, reading the lock only; undefined without a lock of this lock version. */
export function readLock(distDir: string, cluster: string): Lock | undefined {
  const file = join(distDir, cluster, LOCK_FILE);
  return entryType(file) === 'file' ? parseLock(textOf(readRegularFileOrFail(file))) : undefined;
}

/**
 * The folder `<distDir>/<cluster>/` when it is intact: a lock of this lock version, and every
 * file the lock lists with its SHA-256 and no other. Undefined when there is no such folder,
 * or anything in it differs (then the cluster is compiled, and the writer decides what to do
 * with the folder).
 */
export function previousOutput(distDir: string, cluster: string, spec?: { readonly file: string; readonly bytes: Uint8Array }): PreviousOutput | undefined {
  let tree: Map<string, Uint8Array>;
  try {
    tree = readTree(join(distDir, cluster));
  } catch {
    return undefined;
  }
  // Each file decoded once: for its hash and for the output.
  const files = [...tree].map(([path, bytes]) => ({ path, content: textOf(bytes) }));
  const lockText = files.find((f) => f.path === LOCK_FILE)?.content;
  const lock = lockText === undefined ? undefined : parseLock(lockText);
  if (!lock || lock.cluster !== cluster || files.length !== Object.keys(lock.files).length + 1) return undefined;
  if (files.some((f) => f.path !== LOCK_FILE && lock.files[f.path] !== sha256(f.content))) return undefined;
  // A lock of the same spec bytes and calico-shield version was compiled for the release its
  // spec names; one of a release no longer in the table (lib/calico/versions.ts) is compiled again.
  const current =
    spec !== undefined && lock.specFile === spec.file && lock.specSha256 === specSha256(spec.bytes) && lock.generatorVersion === GENERATOR_VERSION && minorOfRelease(lock.calicoVersion) !== undefined;
  return { output: { cluster, files }, gitopsPaths: lock.gitopsPaths, current };
}
