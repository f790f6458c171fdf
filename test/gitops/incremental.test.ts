/**
 * synth compiles what changed: a cluster whose calico-shield.lock says its folder was written
 * for the same spec bytes by this calico-shield is taken as it is (unless --force), and
 * `synth --cluster NAME` compiles that one cluster and leaves every other folder alone. Run
 * with the real binary, as users run it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCK_FILE } from '../../lib/gitops/writer';
import { runBinary } from '../support/binary';
import { readOutputs, readTree, removeWorkspaces, workspace } from '../support/cli';
import { withTestEnvironment } from '../support/environment';
import { twoInterfaceSpec } from '../support/fleet-spec';

afterAll(removeWorkspaces);

const SKIPPED = '(spec unchanged since the last synth: not compiled; --force compiles it)';

/** A repository with two clusters and deploy/, synthesised once. */
function synthesised(): string {
  const dir = workspace(['example.yaml', 'allow-list-etcd.yaml'], { deploy: true });
  expect(runBinary(dir, ['synth']).code).toBe(0);
  return dir;
}

function changeSpec(dir: string, cluster: string): void {
  const file = path.join(dir, 'clusters', `${cluster}.yaml`);
  // A comment is enough: the lock records the spec's SHA-256.
  fs.appendFileSync(file, '# changed\n');
}

describe('synth of specs that did not change', () => {
  it('can take every folder as it is, and compile only the cluster whose spec changed', () => {
    const dir = synthesised();
    expect(runBinary(dir, ['synth']).stdout).toBe(`same    dist/allow-list-etcd/ ${SKIPPED}\nsame    dist/example/ ${SKIPPED}\n`);
    changeSpec(dir, 'example');
    const r = runBinary(dir, ['synth']);
    expect(r.stdout).toBe(`wrote   dist/example/\nsame    dist/allow-list-etcd/ ${SKIPPED}\n`);
    // The changed spec's warnings are printed; the skipped cluster was not compiled, so it has none to print.
    expect(r.stderr).toContain('clusters/example.yaml');
    expect(r.stderr).not.toContain('clusters/allow-list-etcd.yaml');
  });

  it('can compile every cluster again when the specs are read from another folder, which ACCESS.md and the lock name', () => {
    const dir = synthesised();
    fs.renameSync(path.join(dir, 'clusters'), path.join(dir, 'specs'));
    expect(runBinary(dir, ['synth', '--clusters', 'specs']).stdout).toBe('wrote   dist/allow-list-etcd/\nwrote   dist/example/\n');
    expect(runBinary(dir, ['check', '--clusters', 'specs']).code).toBe(0);
  });

  it('can compile a cluster again when a file of its folder was edited by hand', () => {
    const dir = synthesised();
    const before = readTree(path.join(dir, 'dist'));
    const file = path.join(dir, 'dist', 'example', '01-policies', 'globalnetworkpolicies.yaml');
    fs.appendFileSync(file, '# edited\n');
    expect(runBinary(dir, ['synth']).stdout).toBe(`wrote   dist/example/\nsame    dist/allow-list-etcd/ ${SKIPPED}\n`);
    expect(readTree(path.join(dir, 'dist'))).toEqual(before);
  });

  it('can compile a cluster again when its lock is of another lock version or calico-shield version', () => {
    const dir = synthesised();
    const before = readTree(path.join(dir, 'dist'));
    for (const [cluster, field, value] of [
      ['example', 'lockVersion', 1],
      ['allow-list-etcd', 'generatorVersion', '0.0.1'],
    ] as const) {
      const lockFile = path.join(dir, 'dist', cluster, LOCK_FILE);
      const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(lockFile, `${JSON.stringify({ ...lock, [field]: value }, null, 2)}\n`);
    }
    expect(runBinary(dir, ['synth']).stdout).toBe('wrote   dist/allow-list-etcd/\nwrote   dist/example/\n');
    expect(readTree(path.join(dir, 'dist'))).toEqual(before);
  });
});

describe('synth --cluster NAME', () => {
  it('can compile that cluster only and leave the other folders as they are, even when their spec changed', () => {
    const dir = synthesised();
    changeSpec(dir, 'example');
    changeSpec(dir, 'allow-list-etcd');
    const other = readTree(path.join(dir, 'dist', 'allow-list-etcd'));
    const r = runBinary(dir, ['synth', '--cluster', 'example']);
    expect(r).toMatchObject({ code: 0, stdout: 'wrote   dist/example/\nsame    dist/allow-list-etcd/\n' });
    expect(readTree(path.join(dir, 'dist', 'allow-list-etcd'))).toEqual(other);
    // check still sees the other cluster's stale folder.
    expect(runBinary(dir, ['check']).code).toBe(1);
    expect(runBinary(dir, ['synth']).stdout).toBe(`wrote   dist/allow-list-etcd/\nsame    dist/example/ ${SKIPPED}\n`);
    expect(runBinary(dir, ['check']).code).toBe(0);
  });

  it('can leave the folder and deploy/ manifests of a cluster whose spec is gone', () => {
    const dir = synthesised();
    const before = readOutputs(dir);
    fs.rmSync(path.join(dir, 'clusters', 'allow-list-etcd.yaml'));
    expect(runBinary(dir, ['synth', '--cluster', 'example']).stdout).toBe(`same    dist/example/ ${SKIPPED}\n`);
    expect(readOutputs(dir)).toEqual(before);
    // A synth of every cluster removes them.
    expect(runBinary(dir, ['synth']).stdout).toContain('removed dist/allow-list-etcd/ (its spec is gone)');
  });

  it('fails with exit 1, writing nothing, when another cluster\'s folder is not as its lock says', () => {
    const dir = synthesised();
    fs.appendFileSync(path.join(dir, 'dist', 'allow-list-etcd', 'ACCESS.md'), 'edited\n');
    const before = readOutputs(dir);
    const r = runBinary(dir, ['synth', '--cluster', 'example']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([1, 'error: dist/allow-list-etcd/ is missing or not as its calico-shield.lock says: synth --cluster example leaves it alone, and deploy/ needs it']);
    expect(readOutputs(dir)).toEqual(before);
  });

  it('fails with exit 1 for a cluster with no spec, and writes nothing', () => {
    const dir = synthesised();
    const before = readOutputs(dir);
    const r = runBinary(dir, ['synth', '--cluster', 'nowhere']);
    expect([r.code, r.stderr]).toEqual([1, 'error: --cluster nowhere: there is no clusters/nowhere.yaml\n']);
    expect(readOutputs(dir)).toEqual(before);
  });
});

describe('synth when a cluster\'s build paths change', () => {
  const spec = (nodes: number): string => twoInterfaceSpec(nodes, { prefix: 'n' });

  it('can say so, pointing Flux users at the manual step, when the host endpoints split into shards', () => {
    // 250 nodes × 2 interfaces = 500 host endpoints: one folder; one node more: two shards.
    const dir = workspace([], { files: { 'clusters/big.yaml': spec(250) } });
    const first = runBinary(dir, ['synth']);
    expect(first.code).toBe(0);
    expect(first.stderr).not.toContain('build paths changed');
    fs.writeFileSync(path.join(dir, 'clusters', 'big.yaml'), withTestEnvironment(spec(251)));
    const second = runBinary(dir, ['synth']);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('note: dist/big/: build paths changed (3 → 4): with Flux, apply deploy/flux/big.yaml, then delete the Kustomizations it no longer has, with prune off (docs/gitops.md#shards)');
  });
});
