/**
 * Failures without stack traces, through the real binary: every file calico-shield cannot use
 * is one line with its path and a documented exit code, and a malformed object in dist/ is an
 * issue explain reports, not a crash.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasStackTrace, runBinary, synthesisedTemplate } from '../support/binary';
import { copyWorkspace } from '../support/cli';

/** A repository synthesised once; tests start from copies. */
const template = synthesisedTemplate(['example.yaml']);

describe('files calico-shield cannot use', () => {
  it('fails on a spec over 2 GiB with the too-large finding, without reading it', () => {
    const dir = copyWorkspace(template());
    // A sparse file: 3 GiB on paper, nothing on disk.
    fs.closeSync(fs.openSync(path.join(dir, 'clusters/huge.yaml'), 'w'));
    fs.truncateSync(path.join(dir, 'clusters/huge.yaml'), 3 * 1024 ** 3);
    const r = runBinary(dir, ['synth']);
    expect({ code: r.code, stack: hasStackTrace(r.stderr) }).toEqual({ code: 1, stack: false });
    expect(r.stderr).toContain('clusters/huge.yaml:1:1: error[too-large] the spec has 3221225472 bytes, more than the 33554432 calico-shield reads\n  hint: split the fleet into one file per cluster\n');
    expect(r.stderr).toContain('1 error; nothing was written to dist/\n');
  });

  it('fails on deploy/repository.yaml that is a folder with one line', () => {
    const dir = copyWorkspace(template());
    fs.rmSync(path.join(dir, 'deploy/repository.yaml'));
    fs.mkdirSync(path.join(dir, 'deploy/repository.yaml'));
    for (const command of ['synth', 'check']) {
      const r = runBinary(dir, [command]);
      expect({ command, code: r.code, error: r.stderr.slice(r.stderr.indexOf('error:')) }).toEqual({ command, code: 4, error: 'error: deploy/repository.yaml: is a folder, not a file\n  hint: move the folder out of the way\n' });
    }
  });
});

/** Nine levels of ten aliases each: a billion values once expanded, a few hundred bytes as text. */
function aliasBomb(): string {
  const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) lines.push(`l${i}: &l${i} [${Array<string>(10).fill(`*l${i - 1}`).join(', ')}]`);
  return lines.join('\n');
}

describe('explain on a hand-edited dist/', () => {
  it('can report each malformed object as an issue, leave it out, and still answer', () => {
    const dir = copyWorkspace(template());
    const bomb = aliasBomb();
    fs.writeFileSync(
      path.join(dir, 'dist/example/01-policies/hand-edit.yaml'),
      ['---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nspec: {}', '---\n- a list', '---\napiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata:\n  name: x\n  labels: {a: 1}', `---\n${bomb}`, '---\nkey: [unclosed'].join('\n') + '\n',
    );
    const kustomization = path.join(dir, 'dist/example/01-policies/kustomization.yaml');
    fs.writeFileSync(kustomization, fs.readFileSync(kustomization, 'utf8').replace('resources:\n', 'resources:\n  - hand-edit.yaml\n'));
    const r = runBinary(dir, ['explain', '--cluster', 'example', 'ip 203.0.113.9 -> host kubeadm-master:9091/TCP']);
    expect({ code: r.code, stack: hasStackTrace(r.stderr) }).toEqual({ code: 3, stack: false });
    const issues = r.stdout.split('\n').filter((l) => l.startsWith('  error: 01-policies/hand-edit.yaml'));
    expect(issues).toEqual([
      '  error: 01-policies/hand-edit.yaml document 1: the object has no metadata mapping: left out',
      '  error: 01-policies/hand-edit.yaml document 2: the object is not a mapping: left out',
      '  error: 01-policies/hand-edit.yaml document 3: the object has metadata.labels that are not a mapping of strings: left out',
      '  error: 01-policies/hand-edit.yaml document 4: cannot be read: Excessive alias count indicates a resource exhaustion attack: left out',
      expect.stringMatching(/^ {2}error: 01-policies\/hand-edit\.yaml document 5: not valid YAML: .+: left out$/),
    ]);
  });
});
