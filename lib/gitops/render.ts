/**
 * The files of one cluster folder, `dist/<cluster>/`, as text: directly usable as an Argo CD
 * source path and as a Flux Kustomization path.
 *
 *   kustomization.yaml                 the three stages, in order
 *   01-policies/                       network sets and policies          (sync wave 1)
 *   02-host-endpoints/                 host endpoints                     (sync wave 2)
 *   03-configuration/                  FelixConfiguration (failsafe)      (sync wave 3)
 *   calico-shield.lock                 generator, Calico version, spec and file SHA-256s
 *
 * Each stage folder has its own kustomization.yaml, so Flux can apply the stages one after
 * another (dependsOn); Argo CD applies the root folder and orders by the sync-wave annotations.
 */
import { createHash } from 'node:crypto';
import { CALICO_RELEASE } from '../calico/felix';
import { CalicoObject } from '../calico/object';
import { STAGES, SYNC_WAVE_ANNOTATION } from '../charts/metadata';
import { GENERATOR_NAME, GENERATOR_VERSION } from '../version';
import { emitYaml, yamlText } from './emit';
import { LOCK_FILE, OutputFile } from './writer';

export const LOCK_VERSION = 1;

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
  readonly specSha256: string;
  /** Every other file of the folder with its SHA-256. */
  readonly files: Readonly<Record<string, string>>;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The spec's bytes as the lock hashes them: CRLF line ends as LF, so a checkout with git's
 * autocrlf (which turns LF into CRLF) has the lock of the LF file that was committed.
 */
function withLfLineEnds(bytes: Uint8Array): Uint8Array {
  if (!bytes.some((b, i) => b === 0x0d && bytes[i + 1] === 0x0a)) return bytes;
  return bytes.filter((b, i) => !(b === 0x0d && bytes[i + 1] === 0x0a));
}

/** YAML text of one object; deterministic, no line folding, as `yaml` writes it. */
export function objectYaml(o: CalicoObject): string {
  return emitYaml(o as unknown as Record<string, unknown>) ?? yamlText(o);
}

export function kustomizationYaml(resources: readonly string[]): string {
  return yamlText({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] }, { indentSeq: true });
}

/**
 * Renders the folder. Objects are grouped by stage (their sync-wave annotation) and kind,
 * and sorted by namespace and name, so the input order never shows.
 */
export function renderCluster(cluster: string, specBytes: Uint8Array, objects: readonly CalicoObject[], extra: readonly OutputFile[] = []): OutputFile[] {
  const files: OutputFile[] = [];
  for (const stage of STAGES) {
    const inStage = objects.filter((o) => o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] === String(stage.wave));
    const byFile = new Map<string, CalicoObject[]>();
    for (const o of inStage) {
      const file = KIND_FILES[o.kind];
      if (!file) throw new Error(`no output file for kind ${o.kind}`);
      const list = byFile.get(file);
      if (list) list.push(o);
      else byFile.set(file, [o]);
    }
    const names = Object.values(KIND_FILES).filter((f) => byFile.has(f));
    for (const name of names) {
      const list = (byFile.get(name) ?? []).sort(
        (a, b) => cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || cmp(a.metadata.name, b.metadata.name),
      );
      files.push({ path: `${stage.folder}/${name}`, content: list.map((o) => `---\n${objectYaml(o)}`).join('') });
    }
    files.push({ path: `${stage.folder}/kustomization.yaml`, content: kustomizationYaml(names) });
  }
  files.push({ path: 'kustomization.yaml', content: kustomizationYaml(STAGES.map((s) => s.folder)) });
  files.push(...extra);
  const lock: Lock = {
    lockVersion: LOCK_VERSION,
    generator: GENERATOR_NAME,
    generatorVersion: GENERATOR_VERSION,
    calicoVersion: CALICO_RELEASE,
    cluster,
    specSha256: sha256(withLfLineEnds(specBytes)),
    files: Object.fromEntries([...files].sort((a, b) => cmp(a.path, b.path)).map((f) => [f.path, sha256(f.content)])),
  };
  files.push({ path: LOCK_FILE, content: `${JSON.stringify(lock, null, 2)}\n` });
  return files.sort((a, b) => cmp(a.path, b.path));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
