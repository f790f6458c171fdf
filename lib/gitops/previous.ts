/**
 * A cluster folder a previous synth wrote, taken as it is: for clusters whose spec has not
 * changed since (synth compiles them again only with --force) and for the clusters that
 * `synth --cluster NAME` leaves alone.
 */
import { join } from 'node:path';
import { GENERATOR_VERSION } from '../version';
import { CALICO_RELEASE } from '../calico/felix';
import { LOCK_VERSION, sha256, specSha256 } from './render';
import { ClusterOutput, LOCK_FILE, readTree, textOf } from './writer';

/** A folder that is as its calico-shield.lock says, and what deploy/ needs of it. */
export interface PreviousOutput {
  readonly output: ClusterOutput;
  /** The lock's build paths. */
  readonly gitopsPaths: readonly string[];
  /** Whether the lock was written for this spec file and its bytes by this calico-shield, modelling this Calico release. */
  readonly current: boolean;
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
  if (!lockBytes) return undefined;
  let lock: unknown;
  try {
    lock = JSON.parse(textOf(lockBytes));
  } catch {
    return undefined;
  }
  if (typeof lock !== 'object' || lock === null) return undefined;
  const l = lock as Readonly<Record<string, unknown>>;
  const files = l['files'];
  const paths = l['gitopsPaths'];
  if (l['lockVersion'] !== LOCK_VERSION || l['cluster'] !== cluster || typeof files !== 'object' || files === null || !Array.isArray(paths)) return undefined;
  if (!paths.every((p): p is string => typeof p === 'string')) return undefined;
  const hashes = files as Readonly<Record<string, unknown>>;
  if (tree.size !== Object.keys(hashes).length + 1) return undefined;
  for (const [path, bytes] of tree) {
    if (path !== LOCK_FILE && hashes[path] !== sha256(textOf(bytes))) return undefined;
  }
  const current =
    spec !== undefined && l['specFile'] === spec.file && l['specSha256'] === specSha256(spec.bytes) && l['generatorVersion'] === GENERATOR_VERSION && l['calicoVersion'] === CALICO_RELEASE;
  return { output: { cluster, files: [...tree].map(([path, bytes]) => ({ path, content: textOf(bytes) })) }, gitopsPaths: paths, current };
}
