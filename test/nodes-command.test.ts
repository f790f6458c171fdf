import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runNodes } from '../lib/nodes-command';
import { ROOT } from './support/compile';

const inventory = fs.readFileSync(path.join(ROOT, 'test/fixtures/nodes/kubectl-get-nodes.json'), 'utf8');

function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calico-shield-nodes-'));
  fs.mkdirSync(path.join(dir, 'clusters'));
  fs.copyFileSync(path.join(ROOT, 'clusters/example.yaml'), path.join(dir, 'clusters/example.yaml'));
  fs.writeFileSync(path.join(dir, 'nodes.json'), inventory);
  return dir;
}

function nodes(dir: string, argv: readonly string[], stdin?: string): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runNodes(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: dir, stdin: () => stdin });
  return { code, out, err };
}

describe('calico-shield nodes import', () => {
  it('can add the inventory nodes, keep comments, and find nothing to do on re-import', () => {
    const dir = workspace();
    const spec = path.join(dir, 'clusters/example.yaml');
    const before = fs.readFileSync(spec, 'utf8');
    const first = nodes(dir, ['import', '--cluster', 'example', '--file', 'nodes.json']);
    expect(first.code).toBe(0);
    expect(first.out).toContain('added    kubeadm-node-1');
    expect(first.out).toContain('added    kubeadm-node-2');
    expect(first.out).toContain('changed  kubeadm-master: [10.100.0.15] → [10.100.0.15, fd00:10:100::15]');
    const after = fs.readFileSync(spec, 'utf8');
    for (const comment of before.split('\n').filter((l) => l.trimStart().startsWith('#'))) expect(after).toContain(comment);
    const again = nodes(dir, ['import', '--cluster', 'example'], inventory);
    expect(again.code).toBe(0);
    expect(again.out).toContain('is up to date');
    expect(fs.readFileSync(spec, 'utf8')).toBe(after);
  });

  it('can remove nodes the inventory no longer lists, only with --prune', () => {
    const dir = workspace();
    nodes(dir, ['import', '--cluster', 'example', '--file', 'nodes.json']);
    const smaller = JSON.parse(inventory) as { items: { metadata: { name: string } }[] };
    smaller.items = smaller.items.filter((n) => n.metadata.name !== 'kubeadm-node-2');
    const kept = nodes(dir, ['import', '--cluster', 'example'], JSON.stringify(smaller));
    expect(kept.out).toContain('gone     kubeadm-node-2');
    expect(fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8')).toContain('kubeadm-node-2');
    const pruned = nodes(dir, ['import', '--cluster', 'example', '--prune'], JSON.stringify(smaller));
    expect(pruned.code).toBe(0);
    expect(pruned.out).toContain('removed  kubeadm-node-2');
    expect(fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8')).not.toContain('kubeadm-node-2');
  });

  it.each([
    ['no --cluster', ['import'], 2, '--cluster is required'],
    ['an unknown subcommand', ['export', '--cluster', 'example'], 2, 'unknown subcommand'],
    ['an unknown cluster', ['import', '--cluster', 'nope', '--file', 'nodes.json'], 1, 'no spec clusters/nope.yaml'],
    ['nothing on stdin', ['import', '--cluster', 'example'], 2, 'nothing on stdin'],
  ])('fails %s and writes nothing', (_name, argv, code, message) => {
    const dir = workspace();
    const before = fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8');
    const r = nodes(dir, argv);
    expect(r.code).toBe(code);
    expect(r.err).toContain(message);
    expect(fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8')).toBe(before);
  });

  it('fails an inventory that is not JSON, naming the input, and writes nothing', () => {
    const dir = workspace();
    const r = nodes(dir, ['import', '--cluster', 'example'], 'apiVersion: v1\nkind: List\n');
    expect(r.code).toBe(1);
    expect(r.err).toContain('(stdin): error[nodes-import]');
    expect(r.err).toContain('nothing was written');
  });
});
