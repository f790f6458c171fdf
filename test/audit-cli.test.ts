/**
 * `calico-shield audit` and `explain --from`, through the real binary: a dump from a file, a
 * folder and a real pipe; positioned errors for a broken dump; secrets never echoed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasStackTrace, runBinary } from './support/binary';
import { removeWorkspaces, workspace } from './support/cli';
import { ROOT } from './support/compile';

afterAll(removeWorkspaces);

const DUMPS = path.join(ROOT, 'test/fixtures/dumps');
const repo = (): string => workspace([], { files: { 'clusters/prod.yaml': fs.readFileSync(path.join(ROOT, 'test/fixtures/clusters/env-manifests-none.yaml'), 'utf8') } });

describe('calico-shield audit', () => {
  it('can name the earlier allow-all policy that opens protected ports, and exit 1', () => {
    const r = runBinary(repo(), ['audit', '--cluster', 'prod', '--from', path.join(DUMPS, 'allow-all.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  evaluated  GlobalNetworkPolicy//legacy-allow-internal\n');
    expect(r.stderr).toMatch(/error\[exposed-port\] spec\.metrics\.calicoNode: .* is allowed by GlobalNetworkPolicy legacy-allow-internal ingress rule 0 \(Allow\)/);
    // The hint replays the probe on the same union.
    expect(r.stderr).toContain(`calico-shield explain --cluster prod --spec --from ${path.join(DUMPS, 'allow-all.yaml')} "`);
    expect(r.stdout).toContain('# Access to the protected servers of cluster `prod`');
  });

  it('can read a dump of up to 64 MiB from a real pipe, as from a file, and refuses a larger one', () => {
    // A comment of 40 MiB: over the 32 MiB bound of specs, under the dump's 64 MiB (lib/audit/dump.ts MAX_DUMP_BYTES).
    const dir = repo();
    const under = runBinary(dir, ['audit', '--cluster', 'prod', '--from', '-'], { input: `# ${'x'.repeat(40 * 1024 * 1024)}\n` });
    expect(under.stderr).not.toContain('error');
    expect(under.code).toBe(0);
    expect(under.stdout).toContain("audit of prod: calico-shield's ");
    const over = runBinary(dir, ['audit', '--cluster', 'prod', '--from', '-'], { input: `# ${'x'.repeat(65 * 1024 * 1024)}\n` });
    expect(over.code).not.toBe(0);
    expect(over.stderr).toMatch(/^error: \(stdin\): has \d+ bytes or more, more than the 67108864 calico-shield reads\n/);
    expect(hasStackTrace(over.stderr)).toBe(false);
  });

  it('can read a clean dump from a real pipe as the ACCESS.md synth writes, exit 0, the Secret unnamed', () => {
    const dir = repo();
    expect(runBinary(dir, ['synth']).code).toBe(0);
    const r = runBinary(dir, ['audit', '--cluster', 'prod', '--from', '-'], { input: fs.readFileSync(path.join(DUMPS, 'clean.yaml'), 'utf8') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  ignored    1 object that is not projectcalico.org/v3\n');
    expect(r.stdout + r.stderr).not.toContain('do-not-echo-me');
    expect(r.stdout.slice(r.stdout.indexOf('# Access'))).toBe(fs.readFileSync(path.join(dir, 'dist/prod/ACCESS.md'), 'utf8'));
  });

  it('can read every YAML file of a folder, and report each dump by the objects it holds', () => {
    const r = runBinary(repo(), ['audit', '--cluster', 'prod', '--from', DUMPS]);
    expect(r.code).toBe(1);
    for (const name of ['GlobalNetworkPolicy//legacy-allow-internal', 'GlobalNetworkPolicy//platform.allow-monitoring', 'HostEndpoint//cp-1-eth0', 'Tier//platform']) {
      expect(r.stdout).toContain(`  evaluated  ${name}\n`);
    }
    expect(r.stderr).toContain('at host-ingress of cp-1-eth0');
  });

  it('fails a broken dump with a positioned error and no stack trace', () => {
    const dir = repo();
    fs.writeFileSync(path.join(dir, 'dump.yaml'), 'apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: x}\nspec: [\n');
    const r = runBinary(dir, ['audit', '--cluster', 'prod', '--from', 'dump.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dump\.yaml:5:1: error\[bad-dump\] not YAML/m);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it("can honour the spec's acknowledgements, as synth does", () => {
    const spec = fs.readFileSync(path.join(ROOT, 'test/fixtures/clusters/env-manifests-none.yaml'), 'utf8').concat('  acknowledge: [{code: pod-to-own-host, reason: "pods reach their own node by design"}]\n');
    const dir = workspace([], { files: { 'clusters/prod.yaml': spec } });
    expect(runBinary(dir, ['synth']).code).toBe(0);
    const r = runBinary(dir, ['audit', '--cluster', 'prod', '--from', path.join(DUMPS, 'clean.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('pod-to-own-host');
    expect(r.stdout).toContain('- **pod-to-own-host** (warning): ');
    expect(r.stdout).toContain('acknowledged: pods reach their own node by design');
  });

  it('fails without --from, and for a dump that is not there', () => {
    expect(runBinary(repo(), ['audit', '--cluster', 'prod']).stderr).toContain('audit needs --cluster NAME and --from DUMP');
    const missing = runBinary(repo(), ['audit', '--cluster', 'prod', '--from', 'nowhere.yaml']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^error: nowhere\.yaml: /);
  });
});

describe('calico-shield explain --from', () => {
  it("can explain one connection on the union of dist/ and the cluster's objects", () => {
    const dir = repo();
    expect(runBinary(dir, ['synth']).code).toBe(0);
    const query = 'ip 10.0.1.21 -> host cp-1 ip 10.0.0.11:9091/TCP';
    expect(runBinary(dir, ['explain', '--cluster', 'prod', query]).code).toBe(3);
    const r = runBinary(dir, ['explain', '--cluster', 'prod', '--from', path.join(DUMPS, 'allow-all.yaml'), query]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('decided by: GlobalNetworkPolicy legacy-allow-internal ingress rule 0 (Allow)');
  });
});
