/**
 * dist/ and deploy/ come from pull requests: check and explain, through the real binary, follow
 * no link and no path out of the repository, so a pull request cannot make the CI gate print
 * what it should not read (the environment and its secrets, files of the runner).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runBinary, synthesisedTemplate } from '../support/binary';
import { copyWorkspace } from '../support/cli';

const SECRET = 's3cr3t-4cc3ss-t0k3n';

/** A repository synthesised once; tests start from copies. */
const template = synthesisedTemplate(['example.yaml']);

describe('check', () => {
  it.each<[string, string, string]>([
    ['a file of dist/ linked to /proc/self/environ', 'dist/example/env.yaml', '/proc/self/environ'],
    ['a folder of dist/ linked to /proc/self', 'dist/proc', '/proc/self'],
    ['a file of deploy/ linked to a file outside the repository', 'deploy/flux/leak.yaml', 'SECRET_FILE'],
  ])('fails on %s, naming the link, without reading it', (_, link, target) => {
    const dir = copyWorkspace(template());
    const secretFile = path.join(dir, '..', `${path.basename(dir)}-secret.yaml`);
    fs.writeFileSync(secretFile, `token: ${SECRET}\n`);
    try {
      fs.symlinkSync(target === 'SECRET_FILE' ? secretFile : target, path.join(dir, link));
      const r = runBinary(dir, ['check'], { env: { CI_TOKEN: SECRET } });
      expect({ code: r.code, firstLine: r.stderr.split('\n')[0] }).toEqual({ code: 4, firstLine: `error: ${link}: is a symbolic link; calico-shield follows no links in clusters/, dist/ and deploy/` });
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    } finally {
      fs.rmSync(secretFile, { force: true });
    }
  });
});

describe('explain', () => {
  it('leaves out a resource that leaves the cluster folder, says so, and reads nothing there', () => {
    const dir = copyWorkspace(template());
    fs.writeFileSync(path.join(dir, 'outside.yaml'), `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${SECRET}\n`);
    const kustomization = path.join(dir, 'dist/example/kustomization.yaml');
    fs.writeFileSync(kustomization, fs.readFileSync(kustomization, 'utf8').replace('resources:\n', 'resources:\n  - ../../outside.yaml\n  - /etc/passwd\n'));
    const r = runBinary(dir, ['explain', '--cluster', 'example', 'ip 203.0.113.9 -> host kubeadm-master:9091/TCP']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('  error: kustomization.yaml: the resource "../../outside.yaml" is not a path inside the cluster folder: left out\n');
    expect(r.stdout).toContain('  error: kustomization.yaml: the resource "/etc/passwd" is not a path inside the cluster folder: left out\n');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout + r.stderr).not.toContain('root:');
  });
});
