/**
 * diff-access: who gains or loses access between two revisions of dist/, from the access
 * matrices of ACCESS.md; the command in a real git repository, with the real binary.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { accessChanges, accessChangesMarkdown, parseAccessMatrix } from '../../lib/gitops/access-diff';
import { runBinary } from '../support/binary';
import { removeWorkspaces, workspace } from '../support/cli';

afterAll(removeWorkspaces);

const matrix = (rows: readonly string[]): string =>
  ['# Access', '', '## Access matrix', '', '| Server | Port | Runs on | Allowed workload | Other host |', '| --- | --- | --- | --- | --- |', ...rows, '', '✅ allowed', ''].join('\n');

const BEFORE = matrix(['| etcd | TCP 2379 | on cp | ✅ `protected-etcd-server` rule 0 | ⛔ end of tier (ingress) |', '| Typha metrics | TCP 9093 | every node | ✅ `default-host` rule 0 | ⛔ `restrict-typha-prometheus` rule 0 |']);

describe('parseAccessMatrix', () => {
  it('can read each cell\'s verdict and deciding rule by server and client class', () => {
    const cells = parseAccessMatrix(BEFORE);
    expect([...cells.keys()]).toEqual(['etcd (TCP 2379)', 'Typha metrics (TCP 9093)']);
    expect(cells.get('etcd (TCP 2379)')?.get('Other host')).toEqual({ verdict: '⛔', text: 'end of tier (ingress)' });
    expect(parseAccessMatrix('# no matrix here\n').size).toBe(0);
  });

  it("can read a cell with a '|', which the report writes as '\\|'", () => {
    const cells = parseAccessMatrix(matrix(['| etcd | TCP 2379 | on cp | ✅ `a \\| b` rule 0 | ⛔ end of tier (ingress) |']));
    expect(cells.get('etcd (TCP 2379)')?.get('Allowed workload')).toEqual({ verdict: '✅', text: '`a | b` rule 0' });
  });
});

describe('accessChanges', () => {
  it('can tell gains, losses, other decisions and servers no longer protected', () => {
    const after = matrix(['| etcd | TCP 2379 | on cp | ⛔ `protected-etcd-server` rule 1 | ✅ `legacy` rule 0 |']);
    const changes = accessChanges(new Map([['edge', BEFORE]]), new Map([['edge', after]]));
    expect(changes.map((c) => [c.cluster, c.kind])).toEqual([['edge', 'changed']]);
    expect(changes[0].rows.map((r) => [r.server, r.client, r.change])).toEqual([
      ['Typha metrics (TCP 9093)', '(every class)', 'unprotected'],
      ['etcd (TCP 2379)', 'Allowed workload', 'loses'],
      ['etcd (TCP 2379)', 'Other host', 'gains'],
    ]);
    const markdown = accessChangesMarkdown(changes, 'origin/main');
    expect(markdown).toContain('1 gained, 1 lost, 0 decided differently, 1 server no longer protected, in 1 cluster.');
    expect(markdown).toContain('| 🔓 gains | etcd (TCP 2379) | Other host | ⛔ end of tier (ingress) | ✅ `legacy` rule 0 |');
  });

  it('can report new and removed clusters, and nothing for equal reports', () => {
    expect(accessChanges(new Map([['a', BEFORE]]), new Map([['a', BEFORE]]))).toEqual([]);
    expect(accessChangesMarkdown([], 'HEAD')).toContain('No change in who reaches the protected servers of any cluster.');
    const changes = accessChanges(new Map([['old', BEFORE]]), new Map([['new', BEFORE]]));
    expect(changes.map((c) => [c.cluster, c.kind])).toEqual([['new', 'added'], ['old', 'removed']]);
  });
});

describe('calico-shield diff-access', () => {
  const git = (dir: string, ...args: string[]): string => {
    const r = spawnSync('git', ['-c', 'user.name=calico-shield test', '-c', 'user.email=test@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  it('can print what a spec change does to access, against the last commit', () => {
    const dir = workspace(['example.yaml']);
    expect(runBinary(dir, ['synth']).code).toBe(0);
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    expect(runBinary(dir, ['diff-access']).stdout).toContain('No change in who reaches the protected servers of any cluster.');
    const spec = path.join(dir, 'clusters', 'example.yaml');
    fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace(/^ {4}typha: \{\}\n/m, ''));
    expect(runBinary(dir, ['synth']).code).toBe(0);
    const r = runBinary(dir, ['diff-access', 'HEAD']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('### `example`');
    expect(r.stdout).toContain('| ⚠️ unprotected | Typha metrics (TCP 9093) | (every class) | protected | no longer protected by calico-shield |');
  });

  it('fails with exit 4 for a revision git cannot read, and 2 for one that looks like an option', () => {
    const dir = workspace(['example.yaml']);
    expect(runBinary(dir, ['synth']).code).toBe(0);
    git(dir, 'init', '-q');
    expect(runBinary(dir, ['diff-access', 'no-such-branch']).code).toBe(4);
    expect(runBinary(dir, ['diff-access', '--', '--upload-pack=touch x']).code).toBe(2);
    expect(fs.existsSync(path.join(dir, 'dist', 'x'))).toBe(false);
  });
});
