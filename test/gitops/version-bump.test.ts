/**
 * A new calico-shield version that changes no object rewrites only the locks: the objects name
 * calico-shield without its version, which calico-shield.lock records (docs/gitops.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClusterInput } from '../../lib/pipeline';
import { OutputFile } from '../../lib/gitops/writer';
import { CLUSTERS, removeWorkspaces, runCli, synth, workspace } from '../support/cli';
import { readSpec } from '../support/paths';

afterAll(removeWorkspaces);

type Compile = (input: ClusterInput) => { readonly files?: readonly OutputFile[] };

/** compileCluster of a calico-shield whose package.json says `version`. */
function compilerOf(version: string): Compile {
  let compile: Compile | undefined;
  jest.isolateModules(() => {
    jest.doMock('../../package.json', () => ({ version }));
    compile = (jest.requireActual('../../lib/pipeline') as { compileCluster: Compile }).compileCluster;
  });
  jest.dontMock('../../package.json');
  if (!compile) throw new Error('the pipeline did not load');
  return compile;
}

describe('a version bump of calico-shield', () => {
  it.each(CLUSTERS)('leaves every file of dist/%s byte-identical but the lock', (cluster) => {
    const input: ClusterInput = { file: `clusters/${cluster}.yaml`, name: cluster, bytes: new TextEncoder().encode(readSpec(`clusters/${cluster}.yaml`)) };
    const before = compilerOf('1.0.0')(input).files ?? [];
    const after = compilerOf('1.1.0')(input).files ?? [];
    expect(before.length).toBeGreaterThan(0);
    expect(after.map((f) => f.path)).toEqual(before.map((f) => f.path));
    const changed = after.filter((f, i) => f.content !== before[i].content).map((f) => f.path);
    expect(changed).toEqual(['calico-shield.lock']);
    const lock = after.find((f) => f.path === 'calico-shield.lock')?.content ?? '';
    expect(JSON.parse(lock).generatorVersion).toBe('1.1.0');
  });
});

describe('check after a version bump', () => {
  it('can say that only the locks differ, and which versions', () => {
    const dir = workspace(['example.yaml']);
    synth(dir);
    const lockFile = path.join(dir, 'dist', 'example', 'calico-shield.lock');
    const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(lockFile, `${JSON.stringify({ ...lock, generatorVersion: '0.0.9' }, null, 2)}\n`);
    const r = runCli(dir, ['check']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`note: only the locks differ, in generatorVersion 0.0.9 → ${String(lock.generatorVersion)}: the objects are the same; a synth rewrites only the locks`);
    // Any other difference: no such note.
    fs.appendFileSync(path.join(dir, 'dist', 'example', 'ACCESS.md'), 'edited\n');
    expect(runCli(dir, ['check']).stderr).not.toContain('only the locks differ');
  });
});

describe('check after a spec moves to another Calico minor', () => {
  it('can say that only the locks differ when no object does, and from which release to which', () => {
    const dir = workspace(['etcd-v3-30.yaml']);
    synth(dir);
    const spec = path.join(dir, 'clusters', 'etcd-v3-30.yaml');
    fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace('calicoVersion: v3.30', 'calicoVersion: v3.31'));
    const r = runCli(dir, ['check']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('note: only the locks differ, in calicoVersion v3.30.7 → v3.31.7, specSha256 (the spec was edited): the objects are the same; a synth rewrites only the locks');
    expect(r.stderr).toContain('changed dist/etcd-v3-30/calico-shield.lock');
    // A minor whose objects differ: no such note (v3.30 refuses natOutgoingExclusions, v3.31 writes it).
    fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace('    encapsulation: VXLAN\n', '    encapsulation: VXLAN\n    natOutgoingExclusions: IPPoolsAndHostIPs\n'));
    const changed = runCli(dir, ['check']);
    expect(changed.code).toBe(1);
    expect(changed.stderr).not.toContain('only the locks differ');
    expect(changed.stderr).toContain('changed dist/etcd-v3-30/03-configuration/felixconfigurations.yaml');
  });
});
