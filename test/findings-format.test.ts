/**
 * `--format json` and `--format github`: findings for CI, from the real binary.
 */
import { findingsGithub } from '../lib/spec/errors';
import { runBinary } from './support/binary';
import { removeWorkspaces, workspace } from './support/cli';

afterAll(removeWorkspaces);

const BAD = `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
  nodes:
    - name: n1
      interfaces: [{name: eth0, expectedIPs: [10.0.0.300]}]
  metrics: {calicoNode: {}}
`;

describe('--format json', () => {
  it('can print every finding of a failed synth as one JSON document on stdout, and the rest on stderr', () => {
    const dir = workspace([], { files: { 'clusters/bad.yaml': BAD } });
    const r = runBinary(dir, ['synth', '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { findings: { severity: string; code: string; file?: string; line?: number; col?: number; field?: string; message: string }[] };
    expect(doc.findings.map((f) => [f.severity, f.code, f.file, f.field])).toEqual([['error', 'bad-ip', 'clusters/bad.yaml', 'spec.nodes[0].interfaces[0].expectedIPs[0]']]);
    expect(doc.findings[0].line).toBeGreaterThan(1);
    expect(r.stderr).toContain('nothing was written to dist/');
  });

  it('can print the warnings of a successful synth as the document, and what it wrote on stderr', () => {
    const dir = workspace(['example.yaml']);
    const r = runBinary(dir, ['synth', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { findings: { severity: string; code: string }[] };
    expect(doc.findings.length).toBeGreaterThan(0);
    expect(doc.findings.every((f) => f.severity === 'warning')).toBe(true);
    expect(r.stderr).toContain('wrote   dist/example/');
  });

  it('fails with exit 2 for an unknown format, and on a command without findings', () => {
    const dir = workspace([]);
    expect(runBinary(dir, ['synth', '--format', 'xml']).stderr.split('\n')[0]).toBe('--format xml: text, json or github');
    expect(runBinary(dir, ['explain', '--cluster', 'x', '--format', 'json', 'ip 1.2.3.4 -> host a:1']).stderr.split('\n')[0]).toBe('--format is an option of synth and check');
  });
});

describe('--format github', () => {
  it('can annotate the spec line of each finding', () => {
    const dir = workspace([], { files: { 'clusters/bad.yaml': BAD } });
    const r = runBinary(dir, ['synth', '--format', 'github']);
    expect(r.code).toBe(1);
    const [line, ...more] = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(more).toEqual([]);
    expect(line).toMatch(/^::error file=clusters\/bad\.yaml,line=\d+,col=\d+,title=calico-shield bad-ip at spec\.nodes\[0\]\.interfaces\[0\]\.expectedIPs\[0\]::"10\.0\.0\.300" is not a valid IP address.+$/);
  });

  it('can escape what the runner would read as syntax', () => {
    const text = findingsGithub([{ severity: 'warning', code: 'x', file: 'clusters/a,b:c.yaml', message: '100% sure\r\nsecond line', hint: 'h' }]);
    expect(text).toBe('::warning file=clusters/a%2Cb%3Ac.yaml,title=calico-shield x::100%25 sure%0D%0Asecond line%0Ahint: h\n');
  });
});
