/**
 * dist/ as Argo CD and Flux read it, written by the real `calico-shield synth` into a copy of
 * clusters/: the folder layout, kustomize's view of it, the lock, pruning, and atomicity.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CalicoObject, objectKey } from '../../lib/calico/object';
import { STAGES, SYNC_WAVE_ANNOTATION } from '../../lib/charts/metadata';
import { Lock, sha256, shardCount, shardOf } from '../../lib/gitops/render';
import { LOCK_FILE } from '../../lib/gitops/writer';
import { compileCluster } from '../../lib/pipeline';
import { CLUSTERS, copyWorkspace, listFiles, readTree, removeWorkspaces, runCli, synth, workspace } from '../support/cli';
import { twoInterfaceSpec } from '../support/fleet-spec';
import { findKubectl } from '../support/kubectl';

/** Extensions Argo CD's directory mode and Flux's generated kustomization.yaml would apply. */
const MANIFEST = /\.(ya?ml|json)$/;

function resources(kustomizationFile: string): string[] {
  const doc = parseAllDocuments(fs.readFileSync(kustomizationFile, 'utf8'));
  if (!Array.isArray(doc) || doc.length !== 1) throw new Error(`${kustomizationFile} is not one YAML document`);
  const list: unknown = doc[0].toJS().resources;
  if (!Array.isArray(list) || !list.every((r): r is string => typeof r === 'string')) throw new Error(`${kustomizationFile} has no resources list`);
  return list;
}

function parseObjects(text: string): CalicoObject[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error('not YAML');
  return docs.map((d) => d.toJS() as CalicoObject).filter((o) => o !== null);
}

/**
 * What kustomize builds from `folder` when it only lists files and folders, as calico-shield's
 * kustomizations do: the fallback when kubectl is not installed.
 */
function buildByResources(folder: string): CalicoObject[] {
  return resources(path.join(folder, 'kustomization.yaml')).flatMap((r) => {
    const target = path.join(folder, r);
    return fs.statSync(target).isDirectory() ? buildByResources(target) : parseObjects(fs.readFileSync(target, 'utf8'));
  });
}

function byKey(objects: readonly CalicoObject[]): Map<string, CalicoObject> {
  const map = new Map(objects.map((o) => [objectKey(o), o]));
  expect(map.size).toBe(objects.length);
  return map;
}

let work: string;
let dist: string;
beforeAll(() => {
  work = workspace('all');
  dist = path.join(work, 'dist');
  synth(work);
});
afterAll(removeWorkspaces);

describe('dist/<cluster>/', () => {
  it('can hold one folder per cluster spec and nothing else', () => {
    expect(fs.readdirSync(dist).sort()).toEqual(CLUSTERS);
  });

  it.each(CLUSTERS)('can list the three stage folders, in apply order, in the kustomization of dist/%s', (cluster) => {
    expect(resources(path.join(dist, cluster, 'kustomization.yaml'))).toEqual(STAGES.map((s) => s.folder));
    for (const stage of STAGES) expect(fs.existsSync(path.join(dist, cluster, stage.folder, 'kustomization.yaml'))).toBe(true);
  });

  it.each(CLUSTERS)('can reference every manifest of dist/%s from the kustomization of its folder', (cluster) => {
    const root = path.join(dist, cluster);
    const referenced = new Set<string>();
    const visit = (folder: string): void => {
      for (const r of resources(path.join(root, folder, 'kustomization.yaml'))) {
        const target = folder ? `${folder}/${r}` : r;
        expect(fs.existsSync(path.join(root, target))).toBe(true);
        if (fs.statSync(path.join(root, target)).isDirectory()) visit(target);
        else referenced.add(target);
      }
    };
    visit('');
    const manifests = listFiles(root).filter((f) => MANIFEST.test(f) && path.posix.basename(f) !== 'kustomization.yaml');
    // A stray manifest would be applied by Argo CD's directory mode, or by the kustomization.yaml
    // Flux generates for a folder without one, though no kustomization lists it.
    expect(manifests).toEqual([...referenced].sort());
    expect(manifests.length).toBeGreaterThan(0);
  });

  it.each(CLUSTERS)('can lock every file of dist/%s by its SHA-256, and the spec it came from', (cluster) => {
    const root = path.join(dist, cluster);
    const lock = JSON.parse(fs.readFileSync(path.join(root, LOCK_FILE), 'utf8')) as Lock;
    expect(lock.cluster).toBe(cluster);
    expect(lock.specSha256).toBe(sha256(fs.readFileSync(path.join(work, 'clusters', `${cluster}.yaml`))));
    expect(Object.keys(lock.files)).toEqual(listFiles(root).filter((f) => f !== LOCK_FILE));
    for (const [file, hash] of Object.entries(lock.files)) expect([file, sha256(fs.readFileSync(path.join(root, file)))]).toEqual([file, hash]);
  });

  it.each(CLUSTERS)('can put every object of dist/%s in the stage folder of its sync wave', (cluster) => {
    let checked = 0;
    for (const stage of STAGES) {
      const objects = buildByResources(path.join(dist, cluster, stage.folder));
      for (const o of objects) expect([objectKey(o), o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]]).toEqual([objectKey(o), String(stage.wave)]);
      checked += objects.length;
    }
    // Every object of the cluster was in some stage folder: the loops above checked them all.
    expect(checked).toBe(buildByResources(path.join(dist, cluster)).length);
    expect(checked).toBeGreaterThan(0);
  });
});

describe('kubectl kustomize dist/<cluster>/', () => {
  const kubectl = findKubectl();
  const folders = CLUSTERS.flatMap((cluster) => ['', ...STAGES.map((s) => s.folder)].map((folder): [string, string] => [cluster, folder]));
  beforeAll(() => {
    if ('missing' in kubectl) {
      console.warn(`skipped kubectl kustomize: ${kubectl.missing}; the objects are read from the files the kustomizations list instead`);
    }
  });

  it.each(folders)('can build dist/%s/%s into exactly the objects calico-shield compiled', (cluster, folder) => {
    const spec = path.join(work, 'clusters', `${cluster}.yaml`);
    const compiled = compileCluster({ file: `clusters/${cluster}.yaml`, name: cluster, bytes: fs.readFileSync(spec) }).objects ?? [];
    const wave = STAGES.find((s) => s.folder === folder)?.wave;
    const expected = compiled.filter((o) => wave === undefined || o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] === String(wave));
    const target = path.join(dist, cluster, folder);
    const built = 'missing' in kubectl ? buildByResources(target) : parseObjects(kubectl.kustomize(target));
    const want = byKey(expected);
    const got = byKey(built);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [key, o] of want) expect([key, got.get(key)]).toEqual([key, o]);
    if (folder === '') expect(built.length).toBe(compiled.length);
  });
});

describe('calico-shield synth', () => {
  it('can remove the folder of a deleted spec and leave the rest of dist/ alone', () => {
    const copy = copyWorkspace(work);
    const copyDist = path.join(copy, 'dist');
    fs.writeFileSync(path.join(copyDist, 'README.md'), '# dist\nWritten by calico-shield; see docs/gitops.md.\n');
    const [gone, ...kept] = CLUSTERS;
    const before = readTree(copyDist);
    fs.rmSync(path.join(copy, 'clusters', `${gone}.yaml`));

    const result = runCli(copy, ['synth']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`removed dist/${gone}/`);
    const after = readTree(copyDist);
    const expected = new Map([...before].filter(([file]) => !file.startsWith(`${gone}/`)));
    // Something was removed, and something kept, or the comparison below would prove nothing.
    expect(expected.size).toBeLessThan(before.size);
    expect(kept.length).toBeGreaterThan(0);
    expect([...after.keys()]).toEqual([...expected.keys()]);
    for (const [file, text] of expected) expect([file, after.get(file)]).toEqual([file, text]);
    for (const cluster of kept) expect(after.has(`${cluster}/kustomization.yaml`)).toBe(true);
    expect(after.get('README.md')).toBe('# dist\nWritten by calico-shield; see docs/gitops.md.\n');
  });

  it.each<[string, string, string]>([
    ['a YAML syntax error', 'apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: deny-list\n  nodes: [\n', 'broken.yaml:6:1'],
    [
      'an address that is not an IP',
      'apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: deny-list\n  nodes:\n    - name: node-1\n      interfaces:\n        - name: eth0\n          expectedIPs: [10.0.0.300]\n',
      'broken.yaml:9:25',
    ],
    ['an unknown field', 'apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: deny-list\n  nodez: []\n', 'broken.yaml:5:3'],
  ])('fails on a spec with %s and leaves dist/ byte-identical', (_, text, where) => {
    const copy = copyWorkspace(work);
    const before = readTree(path.join(copy, 'dist'));
    expect(before.size).toBeGreaterThan(0);
    fs.writeFileSync(path.join(copy, 'clusters', 'broken.yaml'), text);

    const result = runCli(copy, ['synth']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(path.join('clusters', where));
    expect(result.stderr).toContain('nothing was written');
    expect(result.stdout).toBe('');
    expect(readTree(path.join(copy, 'dist'))).toEqual(before);
  });
});

describe('a cluster whose host endpoints are sharded (1,200 nodes, 2,400 host endpoints)', () => {
  const kubectl = findKubectl();
  const nodes = 1200;
  const spec = twoInterfaceSpec(nodes);
  let root: string;
  let lock: Lock;
  let repo: string;
  beforeAll(() => {
    repo = workspace([], { deploy: true, files: { 'clusters/big.yaml': spec } });
    synth(repo);
    root = path.join(repo, 'dist', 'big');
    lock = JSON.parse(fs.readFileSync(path.join(root, LOCK_FILE), 'utf8')) as Lock;
  });

  it('can list the build paths in apply order: policies, eight shards, configuration', () => {
    expect(shardCount(2 * nodes)).toBe(8);
    expect(lock.gitopsPaths).toEqual(['01-policies', ...['000', '001', '010', '011', '100', '101', '110', '111'].map((bits) => `02-host-endpoints/shard-${bits}`), '03-configuration']);
  });

  it('can build each path on its own into disjoint parts of the compiled objects, every host endpoint in the shard of its node', () => {
    if ('missing' in kubectl) console.warn(`kubectl kustomize not run: ${kubectl.missing}; the objects are read from the files the kustomizations list instead`);
    const compiled = compileCluster({ file: 'clusters/big.yaml', name: 'big', bytes: fs.readFileSync(path.join(repo, 'clusters', 'big.yaml')) }).objects ?? [];
    const seen = new Map<string, string>();
    for (const gitopsPath of lock.gitopsPaths) {
      const target = path.join(root, gitopsPath);
      const built = 'missing' in kubectl ? buildByResources(target) : parseObjects(kubectl.kustomize(target));
      const shard = /shard-([01]+)$/.exec(gitopsPath);
      // The configuration stage is empty here (no protected port is failsafe); every other path holds objects.
      if (gitopsPath !== '03-configuration') expect(built.length).toBeGreaterThan(0);
      for (const o of built) {
        expect(seen.has(objectKey(o))).toBe(false);
        seen.set(objectKey(o), gitopsPath);
        if (shard) expect([o.metadata.name, shardOf((o.spec as { node: string }).node, 8)]).toEqual([o.metadata.name, parseInt(shard[1], 2)]);
      }
      // Shards stay near their average of 300 host endpoints: far from the sizes kustomize is slow at.
      if (shard) expect(built.length).toBeLessThan(450);
    }
    expect([...seen.keys()].sort()).toEqual(compiled.map(objectKey).sort());
  });

  it('can point Argo CD and Flux at exactly these paths', () => {
    const app = parseAllDocuments(fs.readFileSync(path.join(repo, 'deploy', 'argocd', 'applications', 'big.yaml'), 'utf8'));
    const flux = parseAllDocuments(fs.readFileSync(path.join(repo, 'deploy', 'flux', 'big.yaml'), 'utf8'));
    if (!Array.isArray(app) || !Array.isArray(flux)) throw new Error('not YAML');
    const sources = (app[0].toJS() as { spec: { sources: { path: string }[] } }).spec.sources.map((s) => s.path);
    const fluxPaths = flux.map((d) => d.toJS() as { kind: string; spec: { path?: string } }).filter((d) => d.kind === 'Kustomization').map((d) => d.spec.path);
    expect(sources).toEqual(lock.gitopsPaths.map((p) => `dist/big/${p}`));
    expect(fluxPaths).toEqual(lock.gitopsPaths.map((p) => `./dist/big/${p}`));
  });
});
