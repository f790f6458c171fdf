import * as fs from 'node:fs';
import * as path from 'node:path';
import { runNodes } from '../lib/nodes-command';
import { removeWorkspaces, runCli, workspace as repository } from './support/cli';
import { ROOT } from './support/compile';

const inventory = fs.readFileSync(path.join(ROOT, 'test/fixtures/nodes/kubectl-get-nodes.json'), 'utf8');

/** A GitOps repository with clusters/example.yaml and the inventory in nodes.json. */
const workspace = (): string => repository(['example.yaml'], { files: { 'nodes.json': inventory } });

const nodes = (dir: string, argv: readonly string[], stdin?: string) => runCli(dir, argv, stdin, runNodes);

afterAll(removeWorkspaces);

describe('calico-shield nodes import', () => {
  it('can add the inventory nodes, keep comments, and find nothing to do on re-import', () => {
    const dir = workspace();
    const spec = path.join(dir, 'clusters/example.yaml');
    const before = fs.readFileSync(spec, 'utf8');
    const first = nodes(dir, ['import', '--cluster', 'example', '--file', 'nodes.json']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('added    kubeadm-node-1');
    expect(first.stdout).toContain('added    kubeadm-node-2');
    expect(first.stdout).toContain('changed  kubeadm-master: [10.100.0.15] → [10.100.0.15, fd00:10:100::15]');
    const after = fs.readFileSync(spec, 'utf8');
    const comments = before.split('\n').filter((l) => l.trimStart().startsWith('#'));
    // The spec has comments to keep, or the loop below would check nothing.
    expect(comments.length).toBeGreaterThan(0);
    for (const comment of comments) expect(after).toContain(comment);
    const again = nodes(dir, ['import', '--cluster', 'example'], inventory);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is up to date');
    expect(fs.readFileSync(spec, 'utf8')).toBe(after);
  });

  it('leaves out the labels the spec may not hold, and says so (found by review: it called the result a bug)', () => {
    const labelled = JSON.parse(inventory) as { items: { metadata: { name: string; labels: Record<string, string> } }[] };
    for (const item of labelled.items) Object.assign(item.metadata.labels, { constructor: 'acme', 'projectcalico.org/created-by': 'x', zone: 'a' });
    const dir = repository(['example.yaml'], { files: { 'nodes.json': JSON.stringify(labelled) } });
    const r = nodes(dir, ['import', '--cluster', 'example', '--file', 'nodes.json', '--labels', 'constructor,projectcalico.org/*,zone']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('left out label constructor of kubeadm-node-1: cdk8s, which renders the objects calico-shield writes');
    expect(r.stdout).toContain('left out label projectcalico.org/created-by of kubeadm-node-1: kube-controllers sets it');
    const spec = fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8');
    expect(spec).toContain('zone: a');
    expect(spec).not.toContain('constructor');
    expect(spec).not.toContain('created-by');
  });

  it('can remove nodes the inventory no longer lists, only with --prune', () => {
    const dir = workspace();
    expect(nodes(dir, ['import', '--cluster', 'example', '--file', 'nodes.json']).code).toBe(0);
    const smaller = JSON.parse(inventory) as { items: { metadata: { name: string } }[] };
    const all = smaller.items.length;
    smaller.items = smaller.items.filter((n) => n.metadata.name !== 'kubeadm-node-2');
    expect(smaller.items).toHaveLength(all - 1);
    const kept = nodes(dir, ['import', '--cluster', 'example'], JSON.stringify(smaller));
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('gone     kubeadm-node-2');
    expect(fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8')).toContain('kubeadm-node-2');
    const pruned = nodes(dir, ['import', '--cluster', 'example', '--prune'], JSON.stringify(smaller));
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('removed  kubeadm-node-2');
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
    expect(r.stderr).toContain(message);
    expect(fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8')).toBe(before);
  });

  it('fails an inventory that is not JSON, naming the input, and writes nothing', () => {
    const dir = workspace();
    const r = nodes(dir, ['import', '--cluster', 'example'], 'apiVersion: v1\nkind: List\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(stdin): error[nodes-import]');
    expect(r.stderr).toContain('nothing was written');
  });
});
