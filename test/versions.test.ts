/**
 * One cluster compiled for each Calico minor calico-shield supports (test/fixtures/versions/),
 * with each version's output as a snapshot so that a reviewer sees exactly what differs
 * between versions, and the differences pinned by focused assertions: the lock's release, the
 * fields a minor lacks (a positioned error, never a silently dropped field), the operator's
 * tier (v3.32 only) and Felix's failsafe lists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { FAILSAFE_DEFAULTS, failsafeKey, type FailsafeEntry } from '../lib/calico/felix';
import { CALICO_MINORS, CALICO_RELEASES, type CalicoMinor } from '../lib/calico/versions';
import { compileCluster, type ClusterResult } from '../lib/pipeline';
import { LOCK_FILE } from '../lib/gitops/writer';
import { admit } from '../lib/calico/admission';
import { compileOk, ROOT } from './support/compile';
import { loadCrdValidators } from './support/crd-schema';
import { CLUSTERS } from './support/cli';
import { YamlText } from './support/yaml-snapshot';

const FIXTURE = 'test/fixtures/versions/etcd.yaml';
const TEXT = fs.readFileSync(path.join(ROOT, FIXTURE), 'utf8');

/** The fixture with `calicoVersion` set (or another edit of its spec), compiled in memory. */
function compileFor(minor: CalicoMinor | undefined, edit: (text: string) => string = (t) => t): ClusterResult {
  const text = edit(minor === undefined ? TEXT : TEXT.replace('\nspec:\n', `\nspec:\n  calicoVersion: ${minor}\n`));
  return compileCluster({ file: FIXTURE, name: 'etcd', bytes: Buffer.from(text) });
}

const errors = (r: ClusterResult) => r.findings.filter((f) => f.severity === 'error');
const file = (r: ClusterResult, p: string): string => r.files?.find((f) => f.path === p)?.content ?? '';

describe.each(CALICO_MINORS)('the version fixture compiled for Calico %s', (minor) => {
  const r = compileFor(minor);

  it('compiles, and records the exact release in the lock', () => {
    expect(errors(r)).toEqual([]);
    const lock = JSON.parse(file(r, LOCK_FILE)) as { calicoVersion: string };
    expect(lock.calicoVersion).toBe(CALICO_RELEASES[minor].release);
  });

  it("prunes etcd's 2379 from that release's failsafe defaults, and nothing else", () => {
    const felix = parse(file(r, '03-configuration/felixconfigurations.yaml')) as { spec: Record<string, FailsafeEntry[]> };
    const without2379 = (l: readonly FailsafeEntry[]) => l.filter((e) => e.port !== 2379).map(failsafeKey);
    expect(felix.spec['failsafeInboundHostPorts']?.map(failsafeKey)).toEqual(without2379(FAILSAFE_DEFAULTS[minor].inbound));
    expect(felix.spec['failsafeOutboundHostPorts']?.map(failsafeKey)).toEqual(without2379(FAILSAFE_DEFAULTS[minor].outbound));
  });

  it('writes these files (snapshot, for review)', () => {
    for (const f of r.files ?? []) expect(new YamlText(f.content)).toMatchSnapshot(f.path);
  });
});

describe('between Calico minors', () => {
  it('a spec without calicoVersion compiles for v3.32', () => {
    expect(JSON.parse(file(compileFor(undefined), LOCK_FILE))).toMatchObject({ calicoVersion: 'v3.32.1' });
  });

  it('this cluster differs only in its lock: no field it uses differs between v3.30, v3.31 and v3.32', () => {
    const [v330, v331, v332] = CALICO_MINORS.map((m) => compileFor(m).files ?? []);
    const withoutLock = (files: readonly { path: string; content: string }[]) => files.filter((f) => f.path !== LOCK_FILE);
    expect(withoutLock(v330 ?? [])).toEqual(withoutLock(v332 ?? []));
    expect(withoutLock(v331 ?? [])).toEqual(withoutLock(v332 ?? []));
  });

  it('natOutgoingExclusions is a positioned error for v3.30, which has no such field, and written for v3.31 and v3.32', () => {
    const edit = (t: string) => t.replace('    encapsulation: VXLAN\n', '    encapsulation: VXLAN\n    natOutgoingExclusions: IPPoolsAndHostIPs\n');
    const v330 = compileFor('v3.30', edit);
    expect(errors(v330).map((f) => [f.code, f.line, f.col, f.field])).toEqual([['unsupported-field', 14, 28, 'spec.environment.natOutgoingExclusions']]);
    expect(errors(v330)[0]?.message).toContain('Calico v3.30 has no natOutgoingExclusions (it came in v3.31)');
    expect(v330.files).toBeUndefined();
    for (const minor of ['v3.31', 'v3.32'] as const) {
      const r = compileFor(minor, edit);
      expect(errors(r)).toEqual([]);
      expect(file(r, '03-configuration/felixconfigurations.yaml')).toContain('natOutgoingExclusions: IPPoolsAndHostIPs');
    }
  });

  it('a template interfacePattern is a positioned error for v3.30 and written for v3.31 and v3.32', () => {
    const auto = (t: string) =>
      t
        .replace(/  nodes:\n[\s\S]*?  metrics:\n/, `  hostEndpoints:\n    mode: auto\n    templates:\n      - {generateName: data, interfacePattern: "^eth1$"}\n  nodes:\n    - name: cp-1\n      labels: {node-role.kubernetes.io/control-plane: ""}\n      interfaces: [{name: "*", expectedIPs: [10.0.0.11]}]\n    - name: worker-1\n      interfaces: [{name: "*", expectedIPs: [10.0.1.21]}]\n  metrics:\n`);
    const v330 = compileFor('v3.30', auto);
    expect(errors(v330).map((f) => [f.code, f.field])).toEqual([['unsupported-field', 'spec.hostEndpoints.templates[0].interfacePattern']]);
    for (const minor of ['v3.31', 'v3.32'] as const) {
      const r = compileFor(minor, auto);
      expect(errors(r)).toEqual([]);
      expect(file(r, '02-host-endpoints/kubecontrollersconfigurations.yaml')).toContain('interfacePattern: ^eth1$');
    }
  });

  it("the operator's tier decides kube-controllers' metrics on operator installs of v3.32 only (tigera/operator v1.42)", () => {
    const operator = (t: string) => t.replace('    install: manifests\n', '    install: operator\n');
    const v332 = errors(compileFor('v3.32', operator));
    expect(v332.length).toBeGreaterThan(0);
    expect(new Set(v332.map((f) => [f.code, f.field].join(' ')))).toEqual(new Set(['operator-tier spec.metrics.kubeControllers']));
    for (const minor of ['v3.30', 'v3.31'] as const) expect(errors(compileFor(minor, operator))).toEqual([]);
  });

  it('an unknown version names the supported minors, and a patch release the minor to write', () => {
    const v = (version: string) => errors(compileFor(undefined, (t) => t.replace('\nspec:\n', `\nspec:\n  calicoVersion: ${version}\n`)))[0];
    expect(v('v3.29')).toMatchObject({ code: 'unsupported-calico', line: 9, col: 18, hint: 'supported: v3.30, v3.31, v3.32' });
    expect(v('v3.31.7')).toMatchObject({ code: 'unsupported-calico', hint: 'write the minor, v3.31: calico-shield models its release v3.31.7' });
  });
});

describe('the examples on each Calico minor', () => {
  it('cover at least two minors', () => {
    expect(new Set(CLUSTERS.map((c) => compileOk(`clusters/${c}.yaml`).spec.calicoVersion)).size).toBeGreaterThanOrEqual(2);
  });

  it.each(CLUSTERS)("%s: its FelixConfiguration's failsafe lists are its minor's defaults minus its protected ports", (cluster) => {
    const { objects, spec } = compileOk(`clusters/${cluster}.yaml`);
    const felix = objects.find((o) => o.kind === 'FelixConfiguration');
    const protectedPorts = new Set(spec.protectedServers.map((s) => `${s.protocol}/${s.port}`));
    const expected = (list: readonly FailsafeEntry[]) => list.filter((e) => !protectedPorts.has(`${e.protocol}/${e.port}`)).map(failsafeKey);
    const pruned = FAILSAFE_DEFAULTS[spec.calicoVersion].inbound.some((e) => protectedPorts.has(`${e.protocol}/${e.port}`));
    if (!pruned) {
      expect(felix?.spec?.['failsafeInboundHostPorts']).toBeUndefined();
      return;
    }
    const lists = felix?.spec as Record<string, FailsafeEntry[]>;
    expect(lists['failsafeInboundHostPorts']?.map(failsafeKey)).toEqual(expected(FAILSAFE_DEFAULTS[spec.calicoVersion].inbound));
    expect(lists['failsafeOutboundHostPorts']?.map(failsafeKey)).toEqual(expected(FAILSAFE_DEFAULTS[spec.calicoVersion].outbound));
  });
});

describe('an upgrade of Calico before the spec', () => {
  const validators = new Map(CALICO_MINORS.map((m) => [m, loadCrdValidators(path.join(ROOT, 'crds', `calico-${CALICO_RELEASES[m].release}`))]));
  const cases = [...CLUSTERS.map((c) => `clusters/${c}.yaml`), FIXTURE];

  it.each(cases)('keeps the objects of %s valid on every newer minor: CRD schema and validator', (spec) => {
    const { objects, spec: parsed } = compileOk(spec);
    const newer = CALICO_MINORS.slice(CALICO_MINORS.indexOf(parsed.calicoVersion));
    expect(newer[0]).toBe(parsed.calicoVersion);
    for (const minor of newer) {
      for (const o of objects) expect([minor, validators.get(minor)?.validate(o)]).toEqual([minor, []]);
      expect([minor, admit(objects, minor)]).toEqual([minor, []]);
    }
  });

  it('is covered for v3.30, v3.31 and v3.32 by the cases above', () => {
    expect(new Set(cases.map((c) => compileOk(c).spec.calicoVersion))).toEqual(new Set(CALICO_MINORS));
  });
});

describe('the verdicts of a Calico v3.30 cluster', () => {
  it('say that v3.30 has no natOutgoingExclusions, and point at what closes a masqueraded path there', () => {
    const nat = (t: string) => t.replace('natOutgoing: false', 'natOutgoing: true');
    const v330 = compileFor('v3.30', nat);
    const cut = errors(v330).find((f) => f.code === 'client-cut');
    expect(cut?.message).toContain('(a natOutgoing IP pool, and this Calico has no natOutgoingExclusions)');
    expect(cut?.hint).toMatch(/^Calico v3\.30 masquerades pods towards every address outside the IP pools/);
    expect(cut?.hint).not.toMatch(/^set spec\.environment\.natOutgoingExclusions/);
    // The same cluster on v3.31 is told to set the field v3.31 has.
    const v331 = errors(compileFor('v3.31', nat)).find((f) => f.code === 'client-cut');
    expect(v331?.message).toContain('natOutgoingExclusions IPPoolsOnly');
    expect(v331?.hint).toMatch(/^set spec\.environment\.natOutgoingExclusions: IPPoolsAndHostIPs/);
  });

  it("describe the environment as the minor has it in ACCESS.md: no exclusions, no operator tier", () => {
    const access = (minor: CalicoMinor, edit: (t: string) => string) => file(compileFor(minor, edit), 'ACCESS.md');
    const operator = (t: string) => t.replace('    install: manifests\n', '    install: operator\n').replace('    kubeControllers: {}\n', '');
    expect(access('v3.30', operator)).toContain('Tigera operator install (tigera/operator v1.38.13: no operator tier, which it creates on Calico Enterprise only)');
    expect(access('v3.31', operator)).toContain('Tigera operator install (tigera/operator v1.40.15: no operator tier, which it creates on Calico Enterprise only)');
    expect(access('v3.32', operator)).toContain("Tigera operator install (tigera/operator v1.42.3: its tier `calico-system` decides before calico-shield's)");
  });

  it('asks a template for interfaceCIDRs only, as v3.30 has no interfacePattern', () => {
    const template = (t: string) =>
      t.replace(/  nodes:\n[\s\S]*?  metrics:\n/, `  hostEndpoints:\n    mode: auto\n    templates:\n      - {generateName: data, labels: {a: b}}\n  nodes:\n    - name: cp-1\n      labels: {node-role.kubernetes.io/control-plane: ""}\n      interfaces: [{name: "*", expectedIPs: [10.0.0.11]}]\n    - name: worker-1\n      interfaces: [{name: "*", expectedIPs: [10.0.1.21]}]\n  metrics:\n`);
    expect(errors(compileFor('v3.30', template)).map((f) => f.message)).toEqual(['a template needs interfaceCIDRs (Calico v3.30 has no interfacePattern)']);
    expect(errors(compileFor('v3.31', template)).map((f) => f.message)).toEqual(['a template needs interfaceCIDRs or interfacePattern']);
  });
});
