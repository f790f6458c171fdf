import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../lib/cli';
import { ROOT } from './support/compile';

/** A GitOps repository with some of the example clusters (fewer clusters, faster tests). */
function workspace(clusters: readonly string[] = ['example.yaml', 'allow-list-etcd.yaml']): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calico-shield-cli-'));
  fs.mkdirSync(path.join(dir, 'clusters'));
  for (const c of clusters) fs.copyFileSync(path.join(ROOT, 'clusters', c), path.join(dir, 'clusters', c));
  fs.mkdirSync(path.join(dir, 'deploy'));
  fs.copyFileSync(path.join(ROOT, 'deploy/repository.yaml'), path.join(dir, 'deploy/repository.yaml'));
  return dir;
}

function cli(dir: string, argv: readonly string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: dir });
  return { code, out, err };
}

describe('calico-shield synth and check with deploy/', () => {
  it('can render deploy/ like the committed one, and check both folders', () => {
    const dir = workspace();
    expect(cli(dir, ['synth']).code).toBe(0);
    for (const f of ['argocd/applicationset.yaml', 'argocd/applications/example.yaml', 'flux/allow-list-etcd.yaml']) {
      expect(fs.readFileSync(path.join(dir, 'deploy', f), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'deploy', f), 'utf8'));
    }
    const check = cli(dir, ['check']);
    expect(check.code).toBe(0);
    expect(check.out).toContain('deploy/ is up to date');
  });

  it('can remove the manifests of a cluster whose spec is gone', () => {
    const dir = workspace();
    cli(dir, ['synth']);
    fs.rmSync(path.join(dir, 'clusters/allow-list-etcd.yaml'));
    const r = cli(dir, ['synth']);
    expect(r.out).toContain('removed deploy/flux/allow-list-etcd.yaml');
    expect(fs.existsSync(path.join(dir, 'deploy/argocd/applications/allow-list-etcd.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'dist/allow-list-etcd'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'deploy/repository.yaml'))).toBe(true);
  });

  it('fails check after a hand edit of a rendered manifest', () => {
    const dir = workspace();
    cli(dir, ['synth']);
    const file = path.join(dir, 'deploy/flux/example.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('prune: true', 'prune: false'));
    const r = cli(dir, ['check']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('-  prune: true');
    expect(r.out).toContain('+  prune: false');
    expect(r.err).toContain('deploy/ differs');
  });

  it('fails check on a folder in dist/ that is no cluster: Argo CD would make an Application of it', () => {
    const dir = workspace();
    cli(dir, ['synth']);
    fs.mkdirSync(path.join(dir, 'dist/stray'));
    fs.writeFileSync(path.join(dir, 'dist/stray/x.yaml'), 'a: 1\n');
    const r = cli(dir, ['check']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('extra   dist/stray/x.yaml');
  });

  it('fails a broken deploy/repository.yaml with its position and writes nothing', () => {
    const dir = workspace();
    fs.writeFileSync(path.join(dir, 'deploy/repository.yaml'), 'repoURL: not a url\nrevision: main\npath: dist\n');
    const r = cli(dir, ['synth']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/deploy\/repository\.yaml:1:\d+: error\[/);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  it('fails to touch deploy/ when the specs come from a folder of another repository', () => {
    const dir = workspace();
    cli(dir, ['synth']);
    const before = fs.readFileSync(path.join(dir, 'deploy/flux/example.yaml'), 'utf8');
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'calico-shield-other-'));
    fs.mkdirSync(path.join(elsewhere, 'specs'));
    fs.copyFileSync(path.join(ROOT, 'clusters/allow-list-etcd.yaml'), path.join(elsewhere, 'specs/allow-list-etcd.yaml'));
    const r = cli(dir, ['synth', '--clusters', path.join(elsewhere, 'specs'), '--out', path.join(elsewhere, 'out')]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('deploy/');
    expect(fs.readFileSync(path.join(dir, 'deploy/flux/example.yaml'), 'utf8')).toBe(before);
  });

  it('can explain a connection to an automatic host endpoint, modelled from the spec\'s nodes', () => {
    const dir = workspace(['auto-hep.yaml']);
    cli(dir, ['synth']);
    const r = cli(dir, ['explain', '--cluster', 'auto-hep', 'pod default/x -> host ip-10-20-0-10.ec2.internal:2379/TCP']);
    expect(r.code).toBe(3);
    expect(r.out).toContain('host endpoint ip-10-20-0-10.ec2.internal-auto-hep');
    expect(r.out).toContain('GlobalNetworkPolicy protected-etcd-server');
  });

  it('fails over to Calico\'s defaults, and says so, when the cluster\'s spec is gone', () => {
    const dir = workspace();
    cli(dir, ['synth']);
    fs.rmSync(path.join(dir, 'clusters/example.yaml'));
    const r = cli(dir, ['explain', '--cluster', 'example', 'ip 203.0.113.9 -> host kubeadm-master:22/TCP']);
    expect(r.err).toContain("explaining with Calico's default failsafe ports");
    expect(r.code).toBe(0);
    expect(r.out).toContain('failsafe');
  });
});
