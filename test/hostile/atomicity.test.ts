/**
 * All or nothing, through the real binary: a run that fails anywhere, in dist/ or in deploy/,
 * leaves both exactly as they were, says where it failed, and exits 4.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CALICO_SHIELD, hasStackTrace, runBinary, runShell } from '../support/binary';
import { readOutputs, readTree, removeWorkspaces, workspace } from '../support/cli';
import { withTestEnvironment } from '../support/environment';

afterAll(removeWorkspaces);

/** A deny-list cluster of `nodes` nodes: a few make kilobytes of output, 400 make 140 kB of host endpoints. */
function cluster(name: string, nodes: number, net = '172.15.0.0/24'): string {
  const list = Array.from({ length: nodes }, (_, i) => `    - name: node-${i}\n      interfaces: [{name: eth0, expectedIPs: [10.1.${Math.floor(i / 250)}.${(i % 250) + 1}]}]\n`).join('');
  return withTestEnvironment(`apiVersion: calico-shield/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\nspec:\n  approach: deny-list\n  nodes:\n${list}  metrics:\n    allowedNets: [${net}]\n    calicoNode: {}\n`);
}

describe('a run that fails part-way', () => {
  it('fails with nothing changed when a write fails in the third cluster, after two are staged', () => {
    const dir = workspace([], { deploy: true, files: { 'clusters/a.yaml': cluster('a', 2), 'clusters/b.yaml': cluster('b', 2), 'clusters/c.yaml': cluster('c', 2) } });
    expect(runBinary(dir, ['synth']).code).toBe(0);
    const before = readOutputs(dir);
    fs.writeFileSync(path.join(dir, 'clusters/a.yaml'), cluster('a', 3));
    fs.writeFileSync(path.join(dir, 'clusters/b.yaml'), cluster('b', 3));
    fs.writeFileSync(path.join(dir, 'clusters/c.yaml'), cluster('c', 400));
    // A file size limit of 64 kB (128 kB where the shell counts kilobytes) makes the host endpoints
    // file of c fail as a full disk would (EFBIG instead of ENOSPC), and no file of a or b; SIGXFSZ
    // is ignored so that the write fails instead of killing the process.
    const r = runShell(dir, `trap '' XFSZ; ulimit -f 128; ${CALICO_SHIELD} synth`);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 4, stdout: '' });
    expect(r.stderr).toContain('error: dist/c/02-host-endpoints/hostendpoints.yaml: file too large for the file system or the file size limit (ulimit -f)\n  hint: ');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(readOutputs(dir)).toEqual(before);
    expect(fs.readdirSync(path.join(dir, 'dist')).sort()).toEqual(['a', 'b', 'c']);
  });

  it('fails with nothing written, in dist/ or deploy/, when deploy/argocd is a file', () => {
    const dir = workspace(['example.yaml'], { deploy: true });
    expect(runBinary(dir, ['synth']).code).toBe(0);
    const before = readTree(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'clusters/example.yaml'), fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8').replace('172.101.0.0/24', '172.102.0.0/24'));
    fs.rmSync(path.join(dir, 'deploy/argocd'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'deploy/argocd'), 'not a folder\n');
    const r = runBinary(dir, ['synth']);
    expect({ code: r.code, stdout: r.stdout, error: r.stderr.slice(r.stderr.indexOf('error:')) }).toEqual({ code: 4, stdout: '', error: 'error: deploy/argocd: is a file, not a folder\n  hint: move the file out of the way\n' });
    expect(readTree(path.join(dir, 'dist'))).toEqual(before);
    expect(fs.readFileSync(path.join(dir, 'deploy/argocd'), 'utf8')).toBe('not a folder\n');
  });

  it('fails with nothing written when dist/ is a file, and --debug adds the stack trace', () => {
    const dir = workspace(['example.yaml']);
    fs.writeFileSync(path.join(dir, 'dist'), 'not a folder\n');
    const r = runBinary(dir, ['synth']);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 4, stdout: '', stderr: 'error: dist: is a file, not a folder\n  hint: move the file out of the way\n' });
    const debug = runBinary(dir, ['synth', '--debug']);
    expect(debug.code).toBe(4);
    expect(hasStackTrace(debug.stderr)).toBe(true);
    // The bundle is minified: its frames are mapped back to the TypeScript sources (bin/calico-shield.js).
    expect(debug.stderr).toMatch(/^ +at \S+ \(.*lib\/io\/files\.ts:\d+:\d+\)$/m);
  });
});
