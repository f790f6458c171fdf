/**
 * calico-shield's objects evaluated with what the cluster already has: dumps of existing
 * Calico objects (test/fixtures/dumps/) against test/fixtures/clusters/env-manifests-none.yaml.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDump } from '../../lib/audit/dump';
import { auditCluster, clusterUnion } from '../../lib/verify/audit';
import { ACCESS_REPORT_FILE, renderAccessReport } from '../../lib/verify/report';
import { compileOk, ROOT } from '../support/compile';

const CLUSTER = 'test/fixtures/clusters/env-manifests-none.yaml';
const compiled = compileOk(CLUSTER);

function audit(...dumps: string[]) {
  const dump = readDump(dumps.map((d) => ({ file: `test/fixtures/dumps/${d}`, text: fs.readFileSync(path.join(ROOT, 'test/fixtures/dumps', d), 'utf8') })));
  expect(dump.findings).toEqual([]);
  if (!compiled.plan) throw new Error('no plan');
  return { dump, result: auditCluster(compiled.plan, compiled.objects, dump.objects.map((o) => o.object)) };
}

describe('audit', () => {
  it('can read a clean dump as identical to ACCESS.md: the cluster holds nothing but what dist/ applies', () => {
    const { dump, result } = audit('clean.yaml');
    expect(dump.ignored).toBe(1);
    expect(JSON.stringify(dump)).not.toContain('do-not-echo-me');
    expect(result.replaced).toEqual(['FelixConfiguration//default', 'GlobalNetworkPolicy//restrict-calico-node-prometheus', 'HostEndpoint//cp-1.all-interfaces']);
    expect(result.existing).toEqual([]);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    if (!compiled.plan) throw new Error('no plan');
    const report = renderAccessReport(compiled.plan, result.access, result.findings.filter((f) => f.severity === 'warning'));
    expect(report).toBe(compiled.files.find((f) => f.path === ACCESS_REPORT_FILE)?.content);
  });

  it('fails with exposed-port naming an earlier allow-all policy', () => {
    const { result } = audit('allow-all.yaml');
    expect(result.existing).toEqual(['GlobalNetworkPolicy//legacy-allow-internal']);
    const exposed = result.findings.filter((f) => f.code === 'exposed-port');
    expect(exposed.length).toBeGreaterThan(0);
    for (const f of exposed) expect(f.message).toContain('is allowed by GlobalNetworkPolicy legacy-allow-internal ingress rule 0 (Allow)');
    expect(exposed.map((f) => f.field)).toContain('spec.protectedServers[0]');
  });

  it('fails with exposed-port naming the policy of a tier ordered before default', () => {
    const { result } = audit('tier-first.yaml');
    const exposed = result.findings.find((f) => f.code === 'exposed-port' && f.field === 'spec.metrics.calicoNode');
    expect(exposed?.message).toContain('is allowed by GlobalNetworkPolicy platform.allow-monitoring ingress rule 0 (Allow)');
  });

  it('fails with client-cut naming a hand-made host endpoint that shadows one of calico-shield', () => {
    const { result } = audit('manual-hep.yaml');
    const cut = result.findings.filter((f) => f.code === 'client-cut');
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.some((f) => f.message.includes('at host-ingress of cp-1-eth0'))).toBe(true);
  });

  it('can merge FelixConfiguration default field by field, as server-side apply does', () => {
    const dump = readDump([{ file: 'fc.yaml', text: 'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {defaultEndpointToHostAction: Drop, failsafeInboundHostPorts: [{protocol: TCP, port: 22}]}\n' }]);
    const withPruned = compileOk('test/fixtures/clusters/env-operator-none.yaml');
    if (!withPruned.plan) throw new Error('no plan');
    const result = auditCluster(withPruned.plan, withPruned.objects, dump.objects.map((o) => o.object));
    // The cluster's Drop closes nothing: calico-node's FELIX_DEFAULTENDPOINTTOHOSTACTION=ACCEPT outranks it, as audit says.
    expect(result.findings.some((f) => f.code === 'pod-to-own-host')).toBe(true);
    expect(result.findings.some((f) => f.code === 'not-modelled' && f.message.includes('defaultEndpointToHostAction: Drop has no effect'))).toBe(true);
    expect(result.replaced).toEqual(['FelixConfiguration//default']);
  });

  it('can keep the shared FelixConfiguration default that dist/ no longer writes: Argo CD and Flux never prune it', () => {
    const dump = readDump([{ file: 'fc.yaml', text: 'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default, labels: {app.kubernetes.io/managed-by: calico-shield}}\nspec: {defaultEndpointToHostAction: Drop}\n' }]);
    const noPruning = compileOk('test/fixtures/clusters/seed-allow-list.yaml');
    expect(noPruning.objects.some((o) => o.kind === 'FelixConfiguration')).toBe(false);
    if (!noPruning.plan) throw new Error('no plan');
    const result = auditCluster(noPruning.plan, noPruning.objects, dump.objects.map((o) => o.object));
    expect(result.pruned).toEqual([]);
    expect(result.existing).toEqual(['FelixConfiguration//default']);
    expect(result.findings.some((f) => f.code === 'pod-to-own-host')).toBe(true);
  });

  it("can merge KubeControllersConfiguration default field by field, keeping the cluster's other controllers and settings", () => {
    const auto = compileOk('clusters/auto-hep.yaml');
    if (!auto.plan) throw new Error('no plan');
    const dump = readDump([{ file: 'kcc.yaml', text: 'apiVersion: projectcalico.org/v3\nkind: KubeControllersConfiguration\nmetadata: {name: default}\nspec: {healthChecks: Enabled, controllers: {node: {syncLabels: Enabled, hostEndpoint: {autoCreate: Disabled}}, policy: {reconcilerPeriod: 5m}}}\n' }]);
    const { ours } = clusterUnion(auto.objects, dump.objects.map((o) => o.object));
    const kcc = ours.find((o) => o.kind === 'KubeControllersConfiguration');
    expect(kcc?.spec).toMatchObject({ healthChecks: 'Enabled', controllers: { node: { syncLabels: 'Enabled', hostEndpoint: { autoCreate: 'Enabled' } }, policy: { reconcilerPeriod: '5m' } } });
  });

  it('can prune what calico-shield wrote and dist/ no longer holds', () => {
    // The labels dist/ writes, so that the audit's idea of "written by calico-shield" cannot drift from the charts'.
    const labels = compiled.objects.find((o) => o.kind === 'GlobalNetworkPolicy')?.metadata.labels;
    expect(labels).toBeDefined();
    const old = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'protected-old-server', labels }, spec: { selector: 'all()', ingress: [{ action: 'Allow' }] } };
    const dump = readDump([{ file: 'old.yaml', text: JSON.stringify(old) }]);
    if (!compiled.plan) throw new Error('no plan');
    const result = auditCluster(compiled.plan, compiled.objects, dump.objects.map((o) => o.object));
    expect(result.pruned).toEqual(['GlobalNetworkPolicy//protected-old-server']);
    expect(result.findings.filter((f) => f.code === 'exposed-port')).toEqual([]);
  });

  it.each([
    ['broken YAML', 'items: [\n', 'bad-dump', 2, 1],
    ['a Calico object without a name', 'apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {}\n', 'bad-dump', 1, 1],
    ['an alias bomb', `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`, 'bad-dump', 1, 1],
  ])('fails %s with a positioned finding, never a crash', (_title, text, code, line, col) => {
    const dump = readDump([{ file: 'dump.yaml', text }]);
    expect(dump.findings).toEqual([expect.objectContaining({ severity: 'error', code, file: 'dump.yaml', line, col })]);
  });

  it('can evaluate an object the dump holds twice once, and say so; labels that are not strings are an error', () => {
    const gnp = 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: twice}\nspec: {selector: all(), order: 1, ingress: [{action: Allow}]}\n';
    const dump = readDump([{ file: 'a.yaml', text: gnp }, { file: 'b.yaml', text: gnp }]);
    expect(dump.objects.map((o) => o.file)).toEqual(['b.yaml']);
    expect(dump.findings).toEqual([expect.objectContaining({ severity: 'warning', code: 'duplicate-object', file: 'b.yaml', line: 1 })]);
    const labels = readDump([{ file: 'l.yaml', text: 'apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: h, labels: {running-calico: true}}\nspec: {node: n}\n' }]);
    expect(labels.findings).toEqual([expect.objectContaining({ severity: 'error', code: 'bad-dump', message: 'the labels of HostEndpoint h are not strings' })]);
  });

  it("warns ip-pools-differ when the cluster's IP pools are not those spec.environment declares (masquerade is modelled from the spec)", () => {
    // The spec declares 10.244.0.0/16 without natOutgoing.
    const pools = [
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: pods}\nspec: {cidr: 10.244.0.0/16, natOutgoing: true}',
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: extra}\nspec: {cidr: 10.250.0.0/16}',
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: old}\nspec: {cidr: 10.99.0.0/16, disabled: true}',
    ].join('\n---\n');
    const dump = readDump([{ file: 'pools.yaml', text: pools }]);
    if (!compiled.plan) throw new Error('no plan');
    const differ = auditCluster(compiled.plan, compiled.objects, dump.objects.map((o) => o.object)).findings.filter((f) => f.code === 'ip-pools-differ');
    expect(differ.map((f) => [f.severity, f.field, f.message])).toEqual([
      ['warning', 'spec.environment.ipPools', "the cluster's IPPool extra (10.250.0.0/16, natOutgoing false) is not in spec.environment.ipPools: the verdicts do not know its pods' addresses"],
      ['warning', 'spec.environment.ipPools', "the cluster's IPPool pods (10.244.0.0/16) has natOutgoing true, spec.environment.ipPools says false: the verdicts keep pod addresses Felix masquerades to the node"],
    ]);
    expect(differ[0]?.line).toBe(12);
    // The pools as the spec declares them: nothing to say.
    const same = readDump([{ file: 'pools.yaml', text: 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: pods}\nspec: {cidr: 10.244.0.0/16}' }]);
    expect(auditCluster(compiled.plan, compiled.objects, same.objects.map((o) => o.object)).findings.filter((f) => f.code === 'ip-pools-differ')).toEqual([]);
  });

  it('can list objects the model does not read as not-modelled, never dropping them silently', () => {
    const dump = readDump([{ file: 'pool.yaml', text: 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: default-ipv4-ippool}\nspec: {cidr: 192.168.0.0/16}\n' }]);
    if (!compiled.plan) throw new Error('no plan');
    const result = auditCluster(compiled.plan, compiled.objects, dump.objects.map((o) => o.object));
    expect(result.findings).toContainEqual(expect.objectContaining({ code: 'not-modelled', message: expect.stringContaining('IPPool default-ipv4-ippool') }));
  });

  it("words findings about the cluster's own objects as the cluster's, in one note for unread kinds, and never as a calico-shield bug", () => {
    const dump = readDump([
      {
        file: 'cluster.yaml',
        text: [
          'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: default-ipv4-ippool}\nspec: {cidr: 192.168.0.0/16}',
          'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: extra-pool}\nspec: {cidr: 10.244.0.0/16}',
          'apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata: {name: kns.default}\nspec: {}',
          // An action Calico refuses (case matters, validator.go:93): the cluster's object, not calico-shield's.
          'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: odd-one}\nspec: {selector: has(nowhere), ingress: [{action: allow}]}',
          // A valid default-tier policy that selects nothing calico-shield knows of.
          'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: odd-two}\nspec: {selector: has(nowhere), ingress: [{action: Allow}]}',
        ].join('\n---\n'),
      },
    ]);
    if (!compiled.plan) throw new Error('no plan');
    const result = auditCluster(compiled.plan, compiled.objects, dump.objects.map((o) => o.object));
    const about = result.findings.filter((f) => f.code !== 'ip-pools-differ' && /IPPool|Profile|odd-one|odd-two/.test(f.message));
    expect(about.map((f) => [f.severity, f.code])).toEqual([
      ['warning', 'cluster-object-refused'],
      ['warning', 'not-modelled'],
    ]);
    expect(about.every((f) => f.message.startsWith("the cluster's"))).toBe(true);
    expect(about.some((f) => f.hint?.includes('please report it'))).toBe(false);
    expect(about.find((f) => f.code === 'not-modelled')?.message).toBe(
      "the cluster's objects of kinds the evaluator does not read are left out: 2 IPPool (IPPool default-ipv4-ippool, IPPool extra-pool), 1 Profile (Profile kns.default)",
    );
    // The cluster's default-tier policy that selects nothing is the cluster's business, not a finding.
    expect(about.some((f) => f.message.includes('odd-two'))).toBe(false);
    expect(result.findings.some((f) => f.severity === 'error')).toBe(false);
  });
});
