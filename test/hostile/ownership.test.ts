/**
 * Only what calico-shield wrote is ever replaced or removed, through the real binary: a spec
 * it would not read is an error (not a deleted cluster), the user's own files in dist/ and
 * deploy/ stay, a link is refused instead of followed out of the repository, and nodes import
 * never empties a node's addresses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasStackTrace, runBinary, synthesisedTemplate } from '../support/binary';
import { copyWorkspace, readTree, tempDir, workspace } from '../support/cli';
import { ROOT } from '../support/compile';

/** A repository synthesised once; tests start from copies. */
const template = synthesisedTemplate(['example.yaml', 'allow-list-etcd.yaml']);

const synthesised = (): string => copyWorkspace(template());

describe('spec files calico-shield does not read', () => {
  it.each<[string, (dir: string) => void, string]>([
    ['example.YAML', (dir) => fs.renameSync(path.join(dir, 'clusters/example.yaml'), path.join(dir, 'clusters/example.YAML')), 'is not read: calico-shield reads only <cluster>.yaml files, and would take the cluster example as deleted'],
    ['example.yml', (dir) => fs.renameSync(path.join(dir, 'clusters/example.yaml'), path.join(dir, 'clusters/example.yml')), 'is not read: calico-shield reads only <cluster>.yaml files, and would take the cluster example as deleted'],
    ['example.yaml~', (dir) => fs.renameSync(path.join(dir, 'clusters/example.yaml'), path.join(dir, 'clusters/example.yaml~')), "looks like an editor's backup, swap or lock file of a spec; calico-shield reads only <cluster>.yaml files"],
    ['.example.yaml.swp', (dir) => fs.writeFileSync(path.join(dir, 'clusters/.example.yaml.swp'), 'b0VIM 9.0'), "looks like an editor's backup, swap or lock file of a spec; calico-shield reads only <cluster>.yaml files"],
    ['.#example.yaml', (dir) => fs.symlinkSync('user@host.1234:1700000000', path.join(dir, 'clusters/.#example.yaml')), "looks like an editor's backup, swap or lock file of a spec; calico-shield reads only <cluster>.yaml files"],
  ])('fails on %s, and keeps dist/example/', (name, make, reason) => {
    const dir = synthesised();
    const before = readTree(path.join(dir, 'dist'));
    make(dir);
    const r = runBinary(dir, ['synth']);
    expect({ code: r.code, stdout: r.stdout, firstLine: r.stderr.split('\n')[0] }).toEqual({ code: 4, stdout: '', firstLine: `error: clusters/${name}: ${reason}` });
    expect(readTree(path.join(dir, 'dist'))).toEqual(before);
  });

  it.each<[string, (file: string) => void, string]>([
    ['a folder', (file) => fs.mkdirSync(file), 'is a folder, not a file'],
    ['a link to nowhere', (file) => fs.symlinkSync('nowhere.yaml', file), 'is a symbolic link; calico-shield follows no links in clusters/, dist/ and deploy/'],
  ])('fails on a spec that is %s with one line and no stack trace', (_, make, reason) => {
    const dir = synthesised();
    make(path.join(dir, 'clusters/prod.yaml'));
    const r = runBinary(dir, ['synth']);
    expect({ code: r.code, firstLine: r.stderr.split('\n')[0], stack: hasStackTrace(r.stderr) }).toEqual({ code: 4, firstLine: `error: clusters/prod.yaml: ${reason}`, stack: false });
  });
});

describe('files calico-shield did not write', () => {
  it("can keep the user's own manifest in deploy/argocd/, in synth and in check", () => {
    const dir = synthesised();
    const mine = path.join(dir, 'deploy/argocd/my-project.yaml');
    fs.writeFileSync(mine, 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: my-project\n');
    fs.rmSync(path.join(dir, 'clusters/allow-list-etcd.yaml'));
    const r = runBinary(dir, ['synth']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('removed deploy/argocd/applications/allow-list-etcd.yaml (its cluster is gone)\n');
    expect(r.stdout).not.toContain('my-project');
    expect(fs.existsSync(mine)).toBe(true);
    expect(runBinary(dir, ['check']).code).toBe(0);
  });

  it('fails to replace a manifest in deploy/ that calico-shield did not write, and writes nothing', () => {
    const dir = synthesised();
    const file = path.join(dir, 'deploy/flux/example.yaml');
    fs.writeFileSync(file, '# my own Flux setup\napiVersion: v1\nkind: ConfigMap\n');
    const r = runBinary(dir, ['synth']);
    expect({ code: r.code, error: r.stderr.slice(r.stderr.indexOf('error:')).split('\n')[0] }).toEqual({
      code: 4,
      error: 'error: deploy/flux/example.yaml: was not written by calico-shield (it lacks the header calico-shield writes), and synth would replace it',
    });
    expect(fs.readFileSync(file, 'utf8')).toBe('# my own Flux setup\napiVersion: v1\nkind: ConfigMap\n');
  });

  it('fails on deploy/flux that is a link, and touches nothing it points to', () => {
    const dir = synthesised();
    const elsewhere = tempDir();
    fs.writeFileSync(path.join(elsewhere, 'important.yaml'), 'kept: true\n');
    fs.rmSync(path.join(dir, 'deploy/flux'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(dir, 'deploy/flux'));
    const r = runBinary(dir, ['synth']);
    expect({ code: r.code, error: r.stderr.slice(r.stderr.indexOf('error:')).split('\n')[0] }).toEqual({ code: 4, error: 'error: deploy/flux: is a symbolic link; calico-shield follows no links in clusters/, dist/ and deploy/' });
    expect(fs.readdirSync(elsewhere)).toEqual(['important.yaml']);
  });

  it('fails to replace a cluster folder that holds a file calico-shield did not write, and keeps it', () => {
    const dir = synthesised();
    fs.writeFileSync(path.join(dir, 'dist/example/notes.md'), '# my notes\n');
    fs.writeFileSync(path.join(dir, 'clusters/example.yaml'), `# changed\n${fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8')}`);
    const r = runBinary(dir, ['synth']);
    expect({ code: r.code, error: r.stderr.slice(r.stderr.indexOf('error:')).split('\n')[0] }).toEqual({ code: 4, error: 'error: dist/example/notes.md: was not written by calico-shield: calico-shield.lock does not list it' });
    expect(fs.readFileSync(path.join(dir, 'dist/example/notes.md'), 'utf8')).toBe('# my notes\n');
  });
});

describe('nodes import', () => {
  it('can keep the addresses of a node the inventory lists without status.addresses, and say so', () => {
    const dir = workspace(['example.yaml']);
    const spec = path.join(dir, 'clusters/example.yaml');
    const before = fs.readFileSync(spec, 'utf8');
    const inventory = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/nodes/kubectl-get-nodes.json'), 'utf8')) as { items: { metadata: { name: string }; status?: unknown }[] };
    inventory.items = inventory.items.filter((n) => ['kubeadm-master', 'kubeadm-node-0'].includes(n.metadata.name));
    expect(inventory.items).toHaveLength(2);
    for (const node of inventory.items) delete node.status;
    // --labels none: this test is about addresses (the nodes' labels would be imported otherwise).
    const r = runBinary(dir, ['nodes', 'import', '--cluster', 'example', '--labels', 'none'], { input: JSON.stringify(inventory) });
    expect(r).toMatchObject({
      code: 0,
      stdout:
        'kept     kubeadm-master: the inventory gives it no InternalIP address; its expectedIPs stay as they are\n' +
        'kept     kubeadm-node-0: the inventory gives it no InternalIP address; its expectedIPs stay as they are\n' +
        'same     0 nodes\nclusters/example.yaml is up to date\n',
    });
    expect(fs.readFileSync(spec, 'utf8')).toBe(before);
  });
});
