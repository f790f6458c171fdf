/**
 * A cluster folder a previous synth wrote, taken as it is: for clusters whose spec has not
 * changed since (synth compiles them again only with --force) and for the clusters that
 * `synth --cluster NAME` leaves alone.
 */
import { join } from 'node:path';
import { GENERATOR_VERSION } from '../version';
import { CALICO_MINORS, CALICO_RELEASES } from '../calico/versions';
import { parseLock, sha256, specSha256 } from './render';
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

/** The build paths in the lock of `<distDir>/<cluster>/`, reading the lock only; undefined without a lock of this version. */
export function lockedGitopsPaths(distDir: string, cluster: string): readonly string[] | undefined {
  const file = join(distDir, cluster, LOCK_FILE);
  return entryType(file) === 'file' ? parseLock(textOf(readRegularFileOrFail(file)))?.gitopsPaths : undefined;
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
  const lockBytes = tree.get(LOCK_FILE);
  const lock = lockBytes === undefined ? undefined : parseLock(textOf(lockBytes));
  if (!lock || lock.cluster !== cluster || tree.size !== Object.keys(lock.files).length + 1) return undefined;
  for (const [path, bytes] of tree) {
    if (path !== LOCK_FILE && lock.files[path] !== sha256(textOf(bytes))) return undefined;
  }
  const current =
    spec !== undefined && lock.specFile === spec.file && lock.specSha256 === specSha256(spec.bytes) && lock.generatorVersion === GENERATOR_VERSION && KNOWN_RELEASES.has(lock.calicoVersion);
  return { output: { cluster, files: [...tree].map(([path, bytes]) => ({ path, content: textOf(bytes) })) }, gitopsPaths: lock.gitopsPaths, current };
}

/**
 * A lock of the same spec bytes and calico-shield version was compiled for the release its spec
 * names; one of a release no longer in the table (lib/calico/versions.ts) is compiled again.
 */
const KNOWN_RELEASES: ReadonlySet<string> = new Set(CALICO_MINORS.map((m) => CALICO_RELEASES[m].release));
