import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeWorkspaces, runCli, synth, tempDir, workspace as repository } from './support/cli';
import { specFile } from './support/paths';

/** A GitOps repository with deploy/ and some of the example clusters (fewer clusters, faster tests). */
const workspace = (clusters: readonly string[] = ['example.yaml', 'allow-list-etcd.yaml']): string => repository(clusters, { deploy: true });
afterAll(removeWorkspaces);

describe('calico-shield synth and check with deploy/', () => {
  it('can render deploy/ for some clusters as for all the examples, and check both folders', () => {
    const dir = workspace();
    expect(runCli(dir, ['synth']).code).toBe(0);
    const all = repository('all', { deploy: true });
    synth(all);
    for (const f of ['argocd/applicationset.yaml', 'argocd/applications/example.yaml', 'flux/allow-list-etcd.yaml']) {
      expect(fs.readFileSync(path.join(dir, 'deploy', f), 'utf8')).toBe(fs.readFileSync(path.join(all, 'deploy', f), 'utf8'));
    }
    const check = runCli(dir, ['check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('deploy/ is up to date');
  });

  it('can remove the manifests of a cluster whose spec is gone', () => {
    const dir = workspace();
    synth(dir);
    fs.rmSync(path.join(dir, 'clusters/allow-list-etcd.yaml'));
    const r = runCli(dir, ['synth']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('removed deploy/flux/allow-list-etcd.yaml');
    expect(fs.existsSync(path.join(dir, 'deploy/flux/allow-list-etcd.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'deploy/flux/example.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'deploy/argocd/applications/allow-list-etcd.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'dist/allow-list-etcd'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'deploy/repository.yaml'))).toBe(true);
  });

  it('fails check after a hand edit of a rendered manifest', () => {
    const dir = workspace();
    synth(dir);
    const file = path.join(dir, 'deploy/flux/example.yaml');
    const before = fs.readFileSync(file, 'utf8');
    // An edit that changes nothing would make the test pass for the wrong reason.
    expect(before).toContain('prune: true');
    fs.writeFileSync(file, before.replace('prune: true', 'prune: false'));
    const r = runCli(dir, ['check']);
    expect(r.code).toBe(1);
    // From the committed (hand-edited) manifest to what synth would write.
    expect(r.stdout).toContain('--- flux/example.yaml (committed)\n+++ flux/example.yaml (synth would write)\n');
    expect(r.stdout).toContain('-  prune: false');
    expect(r.stdout).toContain('+  prune: true');
    expect(r.stderr).toContain('deploy/ differs');
  });

  it('fails check on a folder in dist/ that is no cluster: Argo CD would make an Application of it', () => {
    const dir = workspace();
    synth(dir);
    fs.mkdirSync(path.join(dir, 'dist/stray'));
    fs.writeFileSync(path.join(dir, 'dist/stray/x.yaml'), 'a: 1\n');
    const r = runCli(dir, ['check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('extra   dist/stray/x.yaml');
  });

  it('fails a broken deploy/repository.yaml with its position and writes nothing', () => {
    const dir = workspace();
    fs.writeFileSync(path.join(dir, 'deploy/repository.yaml'), 'repoURL: not a url\nrevision: main\npath: dist\n');
    const r = runCli(dir, ['synth']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/deploy\/repository\.yaml:1:\d+: error\[/);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  it('fails to touch deploy/ when the specs come from a folder of another repository', () => {
    const dir = workspace();
    synth(dir);
    const before = fs.readFileSync(path.join(dir, 'deploy/flux/example.yaml'), 'utf8');
    const elsewhere = tempDir();
    fs.mkdirSync(path.join(elsewhere, 'specs'));
    fs.copyFileSync(specFile('clusters/allow-list-etcd.yaml'), path.join(elsewhere, 'specs/allow-list-etcd.yaml'));
    const r = runCli(dir, ['synth', '--clusters', path.join(elsewhere, 'specs'), '--out', path.join(elsewhere, 'out')]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('deploy/');
    expect(fs.readFileSync(path.join(dir, 'deploy/flux/example.yaml'), 'utf8')).toBe(before);
  });

  it('can explain a connection to an automatic host endpoint, modelled from the spec\'s nodes', () => {
    const dir = workspace(['auto-hep.yaml']);
    synth(dir);
    const r = runCli(dir, ['explain', '--cluster', 'auto-hep', 'pod default/x -> host ip-10-20-0-10.ec2.internal:2379/TCP']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('host endpoint ip-10-20-0-10.ec2.internal-auto-hep');
    expect(r.stdout).toContain('GlobalNetworkPolicy protected-etcd-server');
  });

  it('fails over to Calico\'s defaults, and says so, when the cluster\'s spec is gone', () => {
    const dir = workspace();
    synth(dir);
    fs.rmSync(path.join(dir, 'clusters/example.yaml'));
    const r = runCli(dir, ['explain', '--cluster', 'example', 'ip 203.0.113.9 -> host kubeadm-master:22/TCP']);
    expect(r.stderr).toContain("explaining with Calico's default failsafe ports");
    expect(r.stderr).toContain('no NAT or tunnels, as Calico v3.32\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('failsafe');
  });

  it("takes the Calico minor from the folder's lock when the cluster's spec is gone", () => {
    const dir = workspace(['etcd-v3-30.yaml']);
    synth(dir);
    fs.rmSync(path.join(dir, 'clusters/etcd-v3-30.yaml'));
    const r = runCli(dir, ['explain', '--cluster', 'etcd-v3-30', 'ip 203.0.113.9 -> host cp-1:2379/TCP']);
    expect(r.stderr).toContain('no NAT or tunnels, as Calico v3.30\n');
    const lock = path.join(dir, 'dist/etcd-v3-30/calico-shield.lock');
    fs.writeFileSync(lock, fs.readFileSync(lock, 'utf8').replace('"v3.30.7"', '"v3.29.7"'));
    expect(runCli(dir, ['explain', '--cluster', 'etcd-v3-30', 'ip 203.0.113.9 -> host cp-1:2379/TCP']).stderr).toContain(
      "as Calico v3.32 (the folder's lock names no Calico release calico-shield knows)",
    );
  });

  it("answers with calico-node's DefaultEndpointToHostAction as the spec gives it", () => {
    const dir = workspace(['etcd-v3-30.yaml']);
    const spec = path.join(dir, 'clusters/etcd-v3-30.yaml');
    fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace('    install: manifests\n', '    install: manifests\n    defaultEndpointToHostAction: Drop\n'));
    synth(dir);
    const r = runCli(dir, ['explain', '--cluster', 'etcd-v3-30', 'pod default/x on cp-1 -> host cp-1:2379/TCP']);
    expect([r.code, r.stdout]).toEqual([3, expect.stringContaining("DefaultEndpointToHostAction Drop (calico-node's FELIX_DEFAULTENDPOINTTOHOSTACTION, as spec.environment says)")]);
  });

  it("answers with the rules of the lock's minor: equal-order policies in Felix's order for that release", () => {
    const dir = workspace(['etcd-v3-30.yaml']);
    synth(dir);
    fs.rmSync(path.join(dir, 'clusters/etcd-v3-30.yaml'));
    // Order 10 both: v3.30 applies GlobalNetworkPolicy b first ("default.b" < "monitoring/default.a"), v3.32 NetworkPolicy a.
    fs.appendFileSync(
      path.join(dir, 'dist/etcd-v3-30/01-policies/networkpolicies.yaml'),
      ['',
        'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: a, namespace: monitoring}\nspec: {selector: "app == \'prometheus\'", order: 10, ingress: [{action: Allow, protocol: TCP, destination: {ports: [9090]}}]}',
        'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: b}\nspec: {selector: "app == \'prometheus\'", order: 10, ingress: [{action: Deny, protocol: TCP, destination: {ports: [9090]}}]}',
      ].join('\n---\n'),
    );
    const query = 'pod default/client{app=client} -> pod monitoring/prometheus{app=prometheus}:9090/TCP';
    const v330 = runCli(dir, ['explain', '--cluster', 'etcd-v3-30', query]);
    expect([v330.code, v330.stdout]).toEqual([3, expect.stringContaining('GlobalNetworkPolicy b')]);
    const lock = path.join(dir, 'dist/etcd-v3-30/calico-shield.lock');
    fs.writeFileSync(lock, fs.readFileSync(lock, 'utf8').replace('"v3.30.7"', '"v3.32.1"'));
    const v332 = runCli(dir, ['explain', '--cluster', 'etcd-v3-30', query]);
    expect([v332.code, v332.stdout]).toEqual([0, expect.stringContaining('NetworkPolicy monitoring/a')]);
  });
});
