/**
 * Terminal and log injection, through the real binary: what a spec or dist/ holds reaches the
 * terminal or the CI log escaped (ESC c resets a terminal and hides the lines before it; U+202E
 * reverses what follows; zero-width characters hide), and nothing of deploy/repository.yaml
 * reaches a template Argo CD evaluates.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runBinary, synthesisedTemplate } from '../support/binary';
import { copyWorkspace } from '../support/cli';

/** Characters a terminal or a reader would not show as themselves. */
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** A repository synthesised once; tests start from copies. */
const template = synthesisedTemplate(['example.yaml']);

/** The example spec with `from` replaced. */
function editSpec(dir: string, from: string, to: string): void {
  const file = path.join(dir, 'clusters/example.yaml');
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toContain(from);
  fs.writeFileSync(file, text.replace(from, to));
}

describe('hidden characters in what calico-shield prints', () => {
  it.each<[string, string, string, string]>([
    ['an alias name with ESC c and BEL', '    calicoNode: {}', '    calicoNode: *\u001bc\u0007', '*\\u001bc\\u0007'],
    ['a field name with U+202E', '  approach: deny-list', '  approach: deny-list\n  appr\u202eoach: x', '"appr\\u202eoach"'],
    ['a node name with a zero-width space', '- name: kubeadm-master', '- name: kubeadm\u200b-master', '\\u200b'],
  ])('escapes %s in synth', (_, from, to, shown) => {
    const dir = copyWorkspace(template());
    editSpec(dir, from, to);
    const r = runBinary(dir, ['synth']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(shown);
    expect(r.stdout + r.stderr).not.toMatch(HIDDEN);
  });

  it('escapes hidden characters of a hand-edited dist/ in the diff of check', () => {
    const dir = copyWorkspace(template());
    const file = path.join(dir, 'dist/example/01-policies/globalnetworksets.yaml');
    fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}# \u001b]0;pwned\u0007\u001bc\u202e\n`);
    const r = runBinary(dir, ['check']);
    expect(r.code).toBe(1);
    // The committed (hand-edited) side of the diff.
    expect(r.stdout).toContain('-# \\u001b]0;pwned\\u0007\\u001bc\\u202e\n');
    expect(r.stdout + r.stderr).not.toMatch(HIDDEN);
  });
});

describe('deploy/repository.yaml', () => {
  it('fails on a repoURL with template syntax, and writes nothing', () => {
    const dir = copyWorkspace(template());
    const settings = path.join(dir, 'deploy/repository.yaml');
    const text = fs.readFileSync(settings, 'utf8');
    fs.writeFileSync(settings, text.replace(/repoURL: .*/, 'repoURL: "https://git.example.com/{{.path.path}}/{{ env \\"X\\" }}.git"'));
    const before = fs.readFileSync(path.join(dir, 'deploy/argocd/applicationset.yaml'), 'utf8');
    const r = runBinary(dir, ['synth']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[bad-repourl] repoURL: repoURL "https://git.example.com/{{.path.path}}/{{ env \\"X\\" }}.git" holds "{" or "}": Argo CD would evaluate it as template syntax in the ApplicationSet\n');
    expect(fs.readFileSync(path.join(dir, 'deploy/argocd/applicationset.yaml'), 'utf8')).toBe(before);
  });
});
