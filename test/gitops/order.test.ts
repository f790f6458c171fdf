/**
 * The apply order, as Argo CD and Flux will see it: network sets and policies, then host
 * endpoints, then the configuration that prunes failsafe ports. A host endpoint without its
 * policies denies all but failsafe traffic; failsafe ports pruned before the policies exist cut
 * access (docs/gitops.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CalicoObject, objectKey } from '../../lib/calico/object';
import { STAGES, SYNC_WAVE_ANNOTATION } from '../../lib/charts/metadata';
import { deployFiles } from '../../lib/gitops/deploy';
import { CLUSTERS, removeWorkspaces, synth, workspace } from '../support/cli';

/** Which kinds must be applied before which: a lower rank strictly first. */
const RANK: Readonly<Record<string, number>> = {
  GlobalNetworkSet: 0,
  NetworkSet: 0,
  GlobalNetworkPolicy: 0,
  NetworkPolicy: 0,
  HostEndpoint: 1,
  FelixConfiguration: 2,
  KubeControllersConfiguration: 2,
};

function documents(text: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error('not YAML');
  return docs.map((d) => d.toJS() as Record<string, unknown>).filter((o) => o !== null);
}

/** Every object of a written cluster folder, from its YAML files (kustomization.yaml aside). */
function writtenObjects(folder: string): CalicoObject[] {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml')
    .flatMap((e) => documents(fs.readFileSync(path.join(e.parentPath, e.name), 'utf8')) as unknown as CalicoObject[]);
}

function wave(o: CalicoObject): number {
  const text = o.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  if (text === undefined || !/^-?\d+$/.test(text)) throw new Error(`${objectKey(o)} has no sync wave`);
  return Number(text);
}

/**
 * Argo CD's sync order (gitops-engine pkg/sync/sync_tasks.go): wave, then kind, then name.
 * Kinds are ranked by name only, from a list of Kubernetes kinds in which Calico's NetworkPolicy
 * matches Kubernetes' NetworkPolicy; every other Calico kind is unknown and ranks last.
 */
function argoCdOrder(objects: readonly CalicoObject[], waveOf: (o: CalicoObject) => number): CalicoObject[] {
  const known = ['Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount'];
  const kindOrder = (kind: string): number => (known.includes(kind) ? known.indexOf(kind) - 100 : 0);
  return [...objects].sort(
    (a, b) => waveOf(a) - waveOf(b) || kindOrder(a.kind) - kindOrder(b.kind) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0),
  );
}

/** The example clusters and deploy/, synthesised once. */
let work: string;
beforeAll(() => {
  work = workspace('all', { deploy: true });
  synth(work);
});
afterAll(removeWorkspaces);

describe('sync waves', () => {
  it.each(CLUSTERS)('can order the objects of dist/%s: sets and policies < host endpoints < configuration', (cluster) => {
    const objects = writtenObjects(path.join(work, 'dist', cluster));
    expect(objects.length).toBeGreaterThan(0);
    const wavesByRank = new Map<number, Set<number>>();
    for (const o of objects) {
      const rank = RANK[o.kind];
      expect([objectKey(o), rank]).toEqual([objectKey(o), expect.any(Number)]);
      wavesByRank.set(rank, new Set([...(wavesByRank.get(rank) ?? []), wave(o)]));
    }
    const ranks = [...wavesByRank.keys()].sort((a, b) => a - b);
    // At least two ranks, or the loop below compares nothing.
    expect(ranks.length).toBeGreaterThan(1);
    for (let i = 1; i < ranks.length; i++) {
      const before = Math.max(...(wavesByRank.get(ranks[i - 1]) ?? []));
      const after = Math.min(...(wavesByRank.get(ranks[i]) ?? []));
      expect([ranks[i - 1], before, ranks[i], after, before < after]).toEqual([ranks[i - 1], before, ranks[i], after, true]);
    }
  });

  it.each(CLUSTERS)('can make Argo CD apply every object of dist/%s after all objects of a lower rank', (cluster) => {
    const order = argoCdOrder(writtenObjects(path.join(work, 'dist', cluster)), wave).map((o) => RANK[o.kind]);
    // Objects of more than one rank, or any order would be sorted.
    expect(new Set(order).size).toBeGreaterThan(1);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('can show why the waves are needed: by kind and name alone, the failsafe ports would be pruned before the host endpoints and the etcd policy exist', () => {
    const objects = writtenObjects(path.join(work, 'dist', 'allow-list-etcd'));
    const order = argoCdOrder(objects, () => 0).map((o) => `${o.kind}/${o.metadata.name}`);
    const felix = order.indexOf('FelixConfiguration/default');
    expect(felix).toBeGreaterThanOrEqual(0);
    expect(felix).toBeLessThan(order.indexOf('GlobalNetworkPolicy/protected-etcd-server'));
    expect(felix).toBeLessThan(order.findIndex((o) => o.startsWith('HostEndpoint/')));
  });
});

describe('Flux Kustomizations in deploy/flux/', () => {
  it.each(CLUSTERS)('can chain the stage folders of dist/%s: 01 → 02 → 03', (cluster) => {
    const docs = documents(fs.readFileSync(path.join(work, 'deploy', deployFiles(cluster).flux), 'utf8'));
    const source = docs.find((d) => d.kind === 'GitRepository') as { metadata: { name: string } } | undefined;
    const kustomizations = docs.filter((d) => d.kind === 'Kustomization') as {
      metadata: { name: string };
      spec: { path: string; prune: boolean; wait: boolean; dependsOn?: { name: string }[]; sourceRef: { kind: string; name: string } };
    }[];
    expect(source?.metadata.name).toBe('calico-shield');
    expect(kustomizations.map((k) => k.spec.path)).toEqual(STAGES.map((s) => `./dist/${cluster}/${s.folder}`));
    kustomizations.forEach((k, i) => {
      expect(k.spec.dependsOn).toEqual(i === 0 ? undefined : [{ name: kustomizations[i - 1].metadata.name }]);
      expect([k.spec.prune, k.spec.wait]).toEqual([true, true]);
      expect(k.spec.sourceRef).toEqual({ kind: 'GitRepository', name: source?.metadata.name });
      // The folder is a kustomization of its own in the synthesised dist/.
      expect(fs.existsSync(path.join(work, k.spec.path, 'kustomization.yaml'))).toBe(true);
    });
  });
});
