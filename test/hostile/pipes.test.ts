/**
 * Standard input, through the real binary: a pipe whose producer is slower than calico-shield
 * (kubectl always is).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CALICO_SHIELD, runShell } from '../support/binary';
import { removeWorkspaces, workspace } from '../support/cli';
import { ROOT } from '../support/compile';

const NODES = path.join(ROOT, 'test/fixtures/nodes/kubectl-get-nodes.json');

afterAll(removeWorkspaces);

function mkfifo(file: string): void {
  expect(spawnSync('mkfifo', [file]).status).toBe(0);
}

describe('standard input', () => {
  it('can import nodes piped from a producer slower than calico-shield', () => {
    const dir = workspace(['example.yaml']);
    const r = runShell(dir, `(sleep 0.5; cat '${NODES}') | ${CALICO_SHIELD} nodes import --cluster example`);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('added    kubeadm-node-1\n');
    expect(fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8')).toContain('kubeadm-node-2');
  });

  it('can import nodes from --file naming a pipe (--file <(kubectl get nodes -o json))', () => {
    const dir = workspace(['example.yaml']);
    const fifo = path.join(dir, 'nodes.pipe');
    mkfifo(fifo);
    const r = runShell(dir, `(sleep 0.3; cat '${NODES}' > nodes.pipe) & ${CALICO_SHIELD} nodes import --cluster example --file nodes.pipe; wait`);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('added    kubeadm-node-1\n');
  });
});
