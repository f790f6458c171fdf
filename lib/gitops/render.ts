/**
 * The files of one cluster folder, `dist/<cluster>/`, as text.
 *
 *   kustomization.yaml                 the three stages, in order (for people and small clusters)
 *   01-policies/                       network sets and policies          (sync wave 1)
 *   02-host-endpoints/                 host endpoints                     (sync wave 2)
 *     shard-00/ … shard-11/            over HOST_ENDPOINTS_PER_SHARD host endpoints: shards, named by hash bits
 *   03-configuration/                  FelixConfiguration (failsafe)      (sync wave 3)
 *   calico-shield.lock                 generator, Calico version, spec, build paths, file SHA-256s
 *
 * Argo CD and Flux build every *build path* (the lock's `gitopsPaths`: the policies, each
 * host endpoint shard, the configuration) on its own, never the root folder: kustomize's
 * build takes time quadratic in the resources of one build (its resource map checks every
 * new resource against all before it), so one build of 20,000 host endpoints runs for
 * minutes, while 64 builds of ~310 take a fraction of a second each. Argo CD lists the
 * paths as the sources of one Application and orders by the sync-wave annotations; Flux
 * gives each its own Kustomization, ordered with dependsOn.
 */
import { createHash, hash } from 'node:crypto';
import { CalicoObject } from '../calico/object';
import { compareText } from '../calico/strings';
import { STAGES, SYNC_WAVE_ANNOTATION } from '../charts/metadata';
import { GENERATOR_NAME, GENERATOR_VERSION } from '../version';
import { mappingYaml } from './emit';
import { LOCK_FILE, OutputFile } from './writer';

/**
 * 2: `gitopsPaths` added. 1: the first lock.
 */
export const LOCK_VERSION = 2;

/**
 * Host endpoints per shard, on average at most: a kustomize build of 500 takes ~0.4 s on a
 * CI runner's core (BENCHMARKS.md), where one of 2,000 takes 4 s and one of 20,000 minutes.
 */
const HOST_ENDPOINTS_PER_SHARD = 500;

/** Kinds in the order a reader expects them within a stage. */
const KIND_FILES: Readonly<Record<string, string>> = {
  GlobalNetworkSet: 'globalnetworksets.yaml',
  NetworkSet: 'networksets.yaml',
  GlobalNetworkPolicy: 'globalnetworkpolicies.yaml',
  NetworkPolicy: 'networkpolicies.yaml',
  HostEndpoint: 'hostendpoints.yaml',
  FelixConfiguration: 'felixconfigurations.yaml',
  KubeControllersConfiguration: 'kubecontrollersconfigurations.yaml',
};

export interface Lock {
  readonly lockVersion: number;
  readonly generator: string;
  readonly generatorVersion: string;
  readonly calicoVersion: string;
  readonly cluster: string;
  /** The spec the folder was compiled from, as synth names it (`clusters/example.yaml`): ACCESS.md names it too. */
  readonly specFile: string;
  readonly specSha256: string;
  /**
   * The folders Argo CD and Flux build, each on its own, in apply order: `01-policies`, the
   * host endpoint folder or its shards, `03-configuration`. Relative to the cluster folder.
   */
  readonly gitopsPaths: readonly string[];
  /** Every other file of the folder with its SHA-256. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * How many shards hold this many host endpoints: 1 up to HOST_ENDPOINTS_PER_SHARD, then the
 * power of two that keeps the average at or under it. A power of two, so that when the count
 * grows past a boundary each shard splits in two (a node's shard is the leading bits of a
 * hash of its name) rather than every node moving.
 */
export function shardCount(hostEndpoints: number): number {
  let count = 1;
  while (hostEndpoints > count * HOST_ENDPOINTS_PER_SHARD) count *= 2;
  return count;
}

/**
 * The shard of a node's host endpoints: the leading bits of the SHA-256 of its name. It
 * depends on the name and the shard count only, so adding or removing a node changes its
 * own shard and no other, and all host endpoints of a node stay together.
 */
export function shardOf(node: string, count: number): number {
  if (count === 1) return 0;
  const bits = Math.log2(count);
  // The leading 32 bits: the first eight hex digits.
  return Number.parseInt(sha256(node).slice(0, 8), 16) >>> (32 - bits);
}

/**
 * A shard's folder name: the leading bits of the hash its nodes share, `shard-0110` for shard 6
 * of 16. A name never comes back with other nodes in it: when the count doubles, `shard-0110`
 * becomes `shard-01100` and `shard-01101` (a Flux Kustomization of the old name builds a path that
 * is gone, and prunes nothing, until it is deleted; docs/gitops.md#shards).
 */
export function shardFolder(index: number, count: number): string {
  return `shard-${index.toString(2).padStart(Math.log2(count), '0')}`;
}

/**
 * The SHA-256 of a text (UTF-8) or bytes, in hex: with Node's one-shot `crypto.hash` where it
 * has one (Node 20.12 and later; the package allows 20.0), which takes about a third off the
 * 5,000 names of a large cluster, and as hex straight away (a Buffer for each of them costs as
 * much again); with a Hash object otherwise. The same digest either way.
 *
 * @param oneShot `crypto.hash`, undefined before Node 20.12 (null: as if it were, for the tests)
 */
export function sha256(data: string | Uint8Array, oneShot: typeof hash | null = hash): string {
  return typeof oneShot === 'function' ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/**
 * The lock's `specSha256`: of the spec's bytes with CRLF line ends as LF, so a checkout with
 * git's autocrlf (which turns LF into CRLF) has the lock of the LF file that was committed.
 */
export function specSha256(bytes: Uint8Array): string {
  return sha256(withLfLineEnds(bytes));
}

function withLfLineEnds(bytes: Uint8Array): Uint8Array {
  if (bytes.indexOf(0x0d) < 0 || !bytes.some((b, i) => b === 0x0d && bytes[i + 1] === 0x0a)) return bytes;
  return bytes.filter((b, i) => !(b === 0x0d && bytes[i + 1] === 0x0a));
}

/** YAML text of one object; deterministic, no line folding, as `yaml` writes it. */
export function objectYaml(o: CalicoObject): string {
  return mappingYaml(o as unknown as Record<string, unknown>);
}

export function kustomizationYaml(resources: readonly string[]): string {
  return mappingYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] });
}

/**
 * Renders the folder. Objects are grouped by stage (their sync-wave annotation) and kind,
 * and sorted by namespace and name, so the input order never shows.
 */
/** A cluster folder's files, and its build paths (the lock's gitopsPaths). */
export interface RenderedCluster {
  readonly files: readonly OutputFile[];
  readonly gitopsPaths: readonly string[];
}

/**
 * @param calicoRelease the exact Calico release the objects were compiled for (lib/calico/versions.ts), recorded in the lock
 */
export function renderCluster(
  cluster: string,
  spec: { readonly file: string; readonly bytes: Uint8Array },
  calicoRelease: string,
  objects: readonly CalicoObject[],
  extra: readonly OutputFile[] = [],
): RenderedCluster {
  const files: OutputFile[] = [];
  const gitopsPaths: string[] = [];
  // Each object to its stage in one pass (10,000 host endpoints).
  const byWave = new Map<string | undefined, CalicoObject[]>(STAGES.map((stage) => [String(stage.wave), []]));
  for (const o of objects) byWave.get(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION])?.push(o);
  for (const stage of STAGES) {
    const inStage = byWave.get(String(stage.wave)) ?? [];
    const hostEndpoints = inStage.filter((o) => o.kind === 'HostEndpoint');
    const shards = shardCount(hostEndpoints.length);
    if (shards === 1) {
      files.push(...stageFiles(stage.folder, inStage));
      gitopsPaths.push(stage.folder);
      continue;
    }
    const byShard = new Map<number, CalicoObject[]>();
    // A node's host endpoints share its shard: one hash per node.
    const shardOfNode = new Map<string, number>();
    for (const o of hostEndpoints) {
      const node = hostEndpointNode(o);
      let shard = shardOfNode.get(node);
      if (shard === undefined) {
        shard = shardOf(node, shards);
        shardOfNode.set(node, shard);
      }
      const list = byShard.get(shard);
      if (list) list.push(o);
      else byShard.set(shard, [o]);
    }
    const folders = [...byShard.keys()].sort((a, b) => a - b).map((i) => shardFolder(i, shards));
    for (const [i, list] of byShard) files.push(...stageFiles(`${stage.folder}/${shardFolder(i, shards)}`, list));
    // The stage folder lists its shards, so building it would build them all: it may hold nothing else.
    if (inStage.length !== hostEndpoints.length) throw new Error(`stage ${stage.folder} holds host endpoints and other objects`);
    files.push(...stageFiles(stage.folder, [], folders));
    gitopsPaths.push(...folders.map((f) => `${stage.folder}/${f}`));
  }
  files.push({ path: 'kustomization.yaml', content: kustomizationYaml(STAGES.map((s) => s.folder)) });
  files.push(...extra);
  const lock: Lock = {
    lockVersion: LOCK_VERSION,
    generator: GENERATOR_NAME,
    generatorVersion: GENERATOR_VERSION,
    calicoVersion: calicoRelease,
    cluster,
    specFile: spec.file,
    specSha256: specSha256(spec.bytes),
    gitopsPaths,
    files: Object.fromEntries([...files].sort((a, b) => compareText(a.path, b.path)).map((f) => [f.path, sha256(f.content)])),
  };
  files.push({ path: LOCK_FILE, content: `${JSON.stringify(lock, null, 2)}\n` });
  return { files: files.sort((a, b) => compareText(a.path, b.path)), gitopsPaths };
}

/**
 * A calico-shield.lock of this lock version, from its text; undefined when the text is not one
 * (not JSON, another lock version, a field of the wrong type).
 */
export function parseLock(text: string): Lock | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const l = value as Readonly<Record<string, unknown>>;
  const strings = ['generator', 'generatorVersion', 'calicoVersion', 'cluster', 'specFile', 'specSha256'];
  const files = l['files'];
  const paths = l['gitopsPaths'];
  if (l['lockVersion'] !== LOCK_VERSION || !strings.every((k) => typeof l[k] === 'string')) return undefined;
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) return undefined;
  if (typeof files !== 'object' || files === null || Array.isArray(files) || !Object.values(files).every((h) => typeof h === 'string')) return undefined;
  return value as Lock;
}

/**
 * One folder's object files (one per kind, objects sorted by namespace and name) and its
 * kustomization.yaml, which lists them and then `folders`.
 */
function stageFiles(folder: string, objects: readonly CalicoObject[], folders: readonly string[] = []): OutputFile[] {
  const byFile = new Map<string, CalicoObject[]>();
  for (const o of objects) {
    const file = KIND_FILES[o.kind];
    if (!file) throw new Error(`no output file for kind ${o.kind}`);
    const list = byFile.get(file);
    if (list) list.push(o);
    else byFile.set(file, [o]);
  }
  const names = Object.values(KIND_FILES).filter((f) => byFile.has(f));
  const files: OutputFile[] = [];
  for (const name of names) {
    const list = (byFile.get(name) ?? []).sort((a, b) => compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || compareText(a.metadata.name, b.metadata.name));
    files.push({ path: `${folder}/${name}`, content: list.map((o) => `---\n${objectYaml(o)}`).join('') });
  }
  files.push({ path: `${folder}/kustomization.yaml`, content: kustomizationYaml([...names, ...folders]) });
  return files;
}

/** The node a HostEndpoint belongs to (`spec.node`, which calico-shield always writes). */
function hostEndpointNode(o: CalicoObject): string {
  const node = (o.spec as { readonly node?: unknown }).node;
  if (typeof node !== 'string') throw new Error(`HostEndpoint ${o.metadata.name} has no spec.node`);
  return node;
}

