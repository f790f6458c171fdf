/**
 * `calico-shield check`, the drift gate of a GitOps repository: dist/ must be exactly what the
 * specs compile to, or Argo CD and Flux would apply something nobody reviewed as a spec change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyWorkspace, removeWorkspaces, runCli, synth, workspace } from '../support/cli';

const cli = (cwd: string, command: string) => runCli(cwd, [command]);

/** Two of the example clusters, synthesised once; every test starts from a copy. */
const CLUSTERS = ['example.yaml', 'allow-list-etcd.yaml'];
let template: string;
let work: string;
beforeAll(() => {
  template = workspace(CLUSTERS);
  synth(template);
});
beforeEach(() => {
  work = copyWorkspace(template);
});
afterAll(removeWorkspaces);

const edit = (file: string, change: (text: string) => string): void => {
  const full = path.join(work, file);
  const before = fs.readFileSync(full, 'utf8');
  const after = change(before);
  // A change that changes nothing would make the test pass for the wrong reason.
  expect(after).not.toBe(before);
  fs.writeFileSync(full, after);
};

describe('calico-shield check', () => {
  it('can pass a freshly synthesised dist/', () => {
    const result = cli(work, 'check');
    const clusters = CLUSTERS.length;
    expect(result).toEqual({ code: 0, stdout: `dist/ is up to date (${clusters} clusters)\n`, stderr: '' });
  });

  it.each<[string, string, (text: string) => string, string]>([
    ['a port in a policy', 'dist/example/01-policies/globalnetworkpolicies.yaml', (t) => t.replace('- 9091', '- 9092'), '-          - 9092'],
    ['an expected IP of a host endpoint', 'dist/example/02-host-endpoints/hostendpoints.yaml', (t) => t.replace('10.100.0.16', '10.100.0.17'), '-    - 10.100.0.17'],
    ['a failsafe port', 'dist/allow-list-etcd/03-configuration/felixconfigurations.yaml', (t) => t.replace('port: 22\n', 'port: 2222\n'), '-      port: 2222'],
    ['a kustomization', 'dist/example/kustomization.yaml', (t) => t.replace('  - 03-configuration\n', ''), '+  - 03-configuration'],
  ])('fails with a unified diff from the committed file to what synth would write after a hand edit of %s', (_, file, change, line) => {
    edit(file, change);

    const result = cli(work, 'check');

    const inDist = file.slice('dist/'.length);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`--- ${inDist} (committed)\n+++ ${inDist} (synth would write)\n@@ `);
    expect(result.stdout).toContain(`${line}\n`);
    expect(result.stderr).toContain(`changed ${file}`);
    expect(result.stderr).toContain("run 'npm run synth'");
  });

  it('fails when a spec changed and dist/ was not synthesised again', () => {
    edit('clusters/example.yaml', (t) => t.replace('172.101.0.0/24', '172.102.0.0/24'));

    const result = cli(work, 'check');

    expect(result.code).toBe(1);
    // From what is committed (the old spec's) to what synth would write (the new spec's).
    expect(result.stdout).toContain('-    - 172.101.0.0/24\n');
    expect(result.stdout).toContain('+    - 172.102.0.0/24\n');
    expect(result.stderr).toContain('changed dist/example/01-policies/globalnetworksets.yaml');
    // The lock holds the spec's SHA-256, so even a change that compiles to the same objects is stale.
    expect(result.stderr).toContain('changed dist/example/calico-shield.lock');
  });

  it('fails when only a comment of a spec changed and dist/ was not synthesised again', () => {
    edit('clusters/example.yaml', (t) => `# reviewed\n${t}`);

    const result = cli(work, 'check');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('changed dist/example/calico-shield.lock');
    expect(result.stderr).not.toContain('01-policies');
  });

  it('fails when a cluster folder is missing', () => {
    fs.rmSync(path.join(work, 'dist', 'example'), { recursive: true });

    const result = cli(work, 'check');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('missing dist/example/kustomization.yaml');
    expect(result.stdout).toContain('--- /dev/null\n+++ example/kustomization.yaml (synth would write)\n');
  });

  it('fails when a cluster folder has no spec any more', () => {
    fs.cpSync(path.join(work, 'dist', 'example'), path.join(work, 'dist', 'retired'), { recursive: true });

    const result = cli(work, 'check');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('extra   dist/retired/kustomization.yaml');
    expect(result.stdout).toContain('--- retired/kustomization.yaml (committed)\n+++ /dev/null\n');
  });

  it('fails when a file was added to a cluster folder by hand', () => {
    fs.writeFileSync(path.join(work, 'dist', 'example', '01-policies', 'extra.json'), '{}\n');

    const result = cli(work, 'check');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('extra   dist/example/01-policies/extra.json');
  });

  it('can pass with a README.md next to the cluster folders', () => {
    fs.writeFileSync(path.join(work, 'dist', 'README.md'), '# dist\n');

    expect(cli(work, 'check')).toEqual({ code: 0, stdout: `dist/ is up to date (${CLUSTERS.length} clusters)\n`, stderr: '' });
  });
});
