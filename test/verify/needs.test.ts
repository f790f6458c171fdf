/**
 * Specs that are valid but would take from the cluster what it cannot lose (lib/calico/needs.ts):
 * each fails synth with a positioned error naming the cut path, and acknowledging the ones that
 * can be a choice moves them to ACCESS.md with the reason.
 */
import { ACCESS_REPORT_FILE } from '../../lib/verify/report';
import { compileText } from '../support/compile';

const HEAD = ['apiVersion: calico-shield/v1alpha1', 'kind: Cluster', 'spec:'];
const NODES = [
  '  nodes:',
  '    - {name: cp-1, labels: {node-role.kubernetes.io/control-plane: ""}, interfaces: [{name: "*", expectedIPs: [10.0.0.11]}]}',
  '    - {name: worker-1, interfaces: [{name: "*", expectedIPs: [10.0.1.21]}]}',
];
const ENV = '  environment: {install: manifests, natOutgoingExclusions: IPPoolsAndHostIPs}';
const PRESETS = '  hostTraffic: {presets: [api-server, kubelet, etcd, dns, calico-health, loopback, ipip, typha, webhooks]}';
const spec = (approach: 'deny-list' | 'allow-list', ...lines: string[]): string => [...HEAD, `  approach: ${approach}`, ENV, ...NODES, ...lines, ''].join('\n');

describe('a protected port on a path the cluster needs', () => {
  it.each<[string, string, string[], string, string, RegExp]>([
    ['a metrics port set to the API server port 6443', 'deny-list', ['  metrics: {calicoNode: {port: 6443}}'], 'essential-cut', 'spec.metrics.calicoNode.port', /sits on the cluster's Kubernetes API server path \(TCP 6443 into the control plane from nodes and pods/],
    ["a metrics port set to the kubelet's 10250", 'deny-list', ['  metrics: {typha: {port: 10250}}'], 'essential-cut', 'spec.metrics.typha.port', /sits on the cluster's kubelet API path \(TCP 10250 into every node from nodes and pods/],
    ['a protected server on SSH 22', 'deny-list', ['  protectedServers: [{name: ssh, port: 22, runsOn: {nodes: [worker-1]}, allowedClients: {nets: [192.0.2.0/24]}}]'], 'essential-cut', 'spec.protectedServers[0]', /sits on the cluster's SSH path \(TCP 22 into every node from anywhere/],
    ['a protected API server with presets all, its clients a network only', 'allow-list', ['  protectedServers: [{name: api, port: 6443, runsOn: {nodes: [cp-1]}, allowedClients: {nets: [192.0.2.0/24]}}]', '  hostTraffic: {presets: all}'], 'preset-overridden', 'spec.protectedServers[0]', /which the preset api-server of spec\.hostTraffic\.presets opens, and cuts it/],
    ['a protected etcd with presets all, the control plane no client', 'allow-list', ['  protectedServers: [{name: etcd, port: 2379, runsOn: {nodes: [cp-1]}, allowedClients: {workloads: [{namespace: backup, labels: {app: etcd-backup}}]}}]', '  hostTraffic: {presets: all}'], 'preset-overridden', 'spec.protectedServers[0]', /etcd path \(TCP 2379-2380 into the control plane from the control plane/],
  ])('fails %s', (_title, approach, lines, code, field, message) => {
    const r = compileText(spec(approach as 'deny-list' | 'allow-list', ...lines), 'needs');
    const f = r.findings.find((x) => x.code === code);
    expect(f).toMatchObject({ severity: 'error', field, line: expect.any(Number), col: expect.any(Number) });
    expect(f?.message).toMatch(message);
    expect(f?.message).toMatch(/ is denied by /);
    expect(r.files).toBeUndefined();
  });

  it('can protect etcd 2379 from all but the control plane, which keeps the path the etcd preset opens', () => {
    const r = compileText(
      spec('allow-list', '  protectedServers: [{name: etcd, port: 2379, runsOn: {nodes: [cp-1]}, allowedClients: {nodes: [cp-1]}}]', PRESETS),
      'needs',
    );
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.access?.needs.map((n) => [n.server.id, n.need.id, n.probes.every((p) => p.allowed)])).toEqual([['etcd', 'etcd', true]]);
  });

  it("probes each flow once: the two host endpoints of a control-plane node share its loopback", () => {
    const twoInterfaces = (name: string, last: number, labels: string): string =>
      `    - {name: ${name}, ${labels}interfaces: [{name: eth0, expectedIPs: [10.0.0.${last}]}, {name: eth1, expectedIPs: [10.1.0.${last}]}]}`;
    const controlPlane = 'labels: {node-role.kubernetes.io/control-plane: ""}, ';
    const text = [
      ...HEAD,
      '  approach: allow-list',
      ENV,
      '  nodes:',
      twoInterfaces('cp-1', 11, controlPlane),
      twoInterfaces('cp-2', 12, controlPlane),
      twoInterfaces('worker-1', 21, ''),
      // The network makes eth0 and eth1 groups of their own.
      '  protectedServers: [{name: etcd, port: 2379, runsOn: {nodes: [cp-1, cp-2]}, allowedClients: {nodes: [cp-1, cp-2], nets: [10.0.0.0/24]}}]',
      PRESETS,
      '',
    ].join('\n');
    const r = compileText(text, 'needs');
    const probes = r.access?.needs.flatMap((n) => n.probes) ?? [];
    expect(probes.length).toBeGreaterThan(0);
    const loopbacks = (list: typeof probes): number[] => list.filter((p) => p.source.kind === 'host' && p.source.interface === 'lo').map((p) => p.targetNodes);
    expect(loopbacks(probes)).toEqual([2]);
    const flows = probes.map((p) => JSON.stringify(p));
    expect(flows).toEqual([...new Set(flows)]);
    // Without cp-2's eth1, cp-1's eth1 stands for itself only: its loopback probe says so, beside eth0's.
    const uneven = compileText(text.replace(', {name: eth1, expectedIPs: [10.1.0.12]}', ''), 'needs');
    expect(loopbacks(uneven.access?.needs.flatMap((n) => n.probes) ?? []).sort()).toEqual([1, 2]);
  });

  it('warns need-not-probed when the path cannot be probed: 6443 protected where no node of the spec is control plane', () => {
    const unlabelled = [...HEAD, '  approach: deny-list', ENV, '  nodes:', '    - {name: node-a, interfaces: [{name: "*", expectedIPs: [10.0.0.11]}]}', '    - {name: node-b, interfaces: [{name: "*", expectedIPs: [10.0.1.21]}]}', '  protectedServers: [{name: api, port: 6443, runsOn: {nodes: [node-a]}, allowedClients: {nets: [192.0.2.0/24]}}]', ''].join('\n');
    const r = compileText(unlabelled, 'needs');
    expect(r.access?.needs.map((n) => [n.server.id, n.need.id, n.probes.length])).toEqual([['api', 'kube-apiserver', 0]]);
    const f = r.warnings?.find((x) => x.code === 'need-not-probed');
    expect(f).toMatchObject({ severity: 'warning', field: 'spec.protectedServers[0]', line: expect.any(Number) });
    expect(f?.message).toMatch(/^TCP 6443 \(api\) sits on the cluster's Kubernetes API server path .*, but nothing could be probed: no host endpoint the server runs on is the control plane/);
    // Labelled as control plane, the same spec is probed and the cut is an error.
    const labelled = compileText(unlabelled.replace('{name: node-a,', '{name: node-a, labels: {node-role.kubernetes.io/control-plane: ""},'), 'needs');
    expect(labelled.warnings?.map((x) => x.code)).not.toContain('need-not-probed');
    expect(labelled.access?.needs.map((n) => [n.need.id, n.probes.length > 0])).toEqual([['kube-apiserver', true]]);
    expect(labelled.findings.find((x) => x.code === 'essential-cut')).toMatchObject({ severity: 'error', field: 'spec.protectedServers[0]' });
  });

  it('can acknowledge a protected SSH on purpose: the finding moves to ACCESS.md with its reason', () => {
    const r = compileText(
      spec(
        'deny-list',
        '  protectedServers: [{name: ssh, port: 22, runsOn: {nodes: [worker-1]}, allowedClients: {nets: [192.0.2.0/24]}}]',
        '  acknowledge: [{code: essential-cut, reason: "SSH only from the bastion network"}]',
      ),
      'needs',
    );
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const report = r.files?.find((f) => f.path === ACCESS_REPORT_FILE)?.content ?? '';
    expect(report).toContain('## Acknowledged');
    expect(report).toMatch(/- \*\*essential-cut\*\* \(error\): TCP 22 \(ssh\) sits on the cluster's SSH path .* — acknowledged: SSH only from the bastion network/);
  });

  it('can scope an acknowledgement to one field: a later essential-cut elsewhere still fails', () => {
    const ssh = '  protectedServers: [{name: ssh, port: 22, runsOn: {nodes: [worker-1]}, allowedClients: {nets: [192.0.2.0/24]}}]';
    const ack = '  acknowledge: [{code: essential-cut, field: "spec.protectedServers[0]", reason: "SSH only from the bastion network"}]';
    const alone = compileText(spec('deny-list', ssh, ack), 'needs');
    expect(alone.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(alone.files?.find((f) => f.path === ACCESS_REPORT_FILE)?.content).toMatch(/- \*\*essential-cut\*\* \(error\): TCP 22 \(ssh\) .* — acknowledged: SSH only from the bastion network/);
    // The metrics port moved onto the API server's 6443 later: the SSH entry does not cover it.
    const later = compileText(spec('deny-list', ssh, '  metrics: {calicoNode: {port: 6443}}', ack), 'needs');
    expect(later.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.field])).toEqual([['essential-cut', 'spec.metrics.calicoNode.port']]);
    expect(later.files).toBeUndefined();
    // Without a field the entry takes every essential-cut, as before.
    const broad = compileText(spec('deny-list', ssh, '  metrics: {calicoNode: {port: 6443}}', '  acknowledge: [{code: essential-cut, reason: "both on purpose"}]'), 'needs');
    expect(broad.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('warns about a field-scoped acknowledgement no finding needs, naming the field', () => {
    const r = compileText(
      spec('deny-list', '  protectedServers: [{name: ssh, port: 22, runsOn: {nodes: [worker-1]}, allowedClients: {nets: [192.0.2.0/24]}}]', '  acknowledge: [{code: essential-cut, field: "spec.protectedServers[1]", reason: "x"}]'),
      'ack',
    );
    expect(r.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.field])).toEqual([['essential-cut', 'spec.protectedServers[0]']]);
    expect(r.warnings?.find((f) => f.code === 'unused-acknowledge')?.message).toBe('essential-cut is acknowledged for spec.protectedServers[1], but no such finding comes up');
  });

  it.each([
    ['an acknowledgement whose field is not a spec path', '  acknowledge: [{code: catch-all-clients, field: "metadata.name", reason: x}]', 'bad-acknowledge', 'spec.acknowledge[0].field'],
    ['the same code and field acknowledged twice', '  acknowledge: [{code: catch-all-clients, field: spec.metrics, reason: x}, {code: catch-all-clients, field: spec.metrics, reason: y}]', 'bad-acknowledge', 'spec.acknowledge[1].code'],
    ['an acknowledgement of a code that is always a mistake', '  acknowledge: [{code: exposed-port, reason: x}]', 'bad-acknowledge', 'spec.acknowledge[0].code'],
    ['an acknowledgement without a reason', '  acknowledge: [{code: catch-all-clients, reason: ""}]', 'bad-acknowledge', 'spec.acknowledge[0].reason'],
  ])('fails %s', (_title, line, code, field) => {
    const r = compileText(spec('deny-list', '  metrics: {calicoNode: {}}', line), 'ack');
    expect(r.findings).toContainEqual(expect.objectContaining({ severity: 'error', code, field }));
  });

  it('can warn about an acknowledgement no finding needs', () => {
    const r = compileText(spec('deny-list', '  metrics: {calicoNode: {}}', '  acknowledge: [{code: catch-all-clients, reason: "kept from an old spec"}]'), 'ack');
    expect(r.warnings?.find((f) => f.code === 'unused-acknowledge')).toMatchObject({ field: 'spec.acknowledge[0]', message: 'catch-all-clients is acknowledged, but no such finding comes up' });
  });
});

describe('allowed clients that are every address', () => {
  it.each([
    ['::/0', 'every IPv6 address'],
    ['0.0.0.0/0', 'every IPv4 address'],
    // The spec reads the IPv4-mapped /96 as what it holds: every IPv4 address.
    ['::ffff:0.0.0.0/96', 'every IPv4 address'],
    ['::/64', 'every IPv4 address (IPv4-mapped IPv6)'],
  ])('fails %s as allowed clients, even when every node is one', (net, what) => {
    const r = compileText(spec('deny-list', `  protectedServers: [{name: vault, port: 8200, runsOn: {nodes: [worker-1]}, allowedClients: {nodes: [cp-1, worker-1], nets: ["${net}"]}}]`), 'all');
    const f = r.findings.find((x) => x.code === 'catch-all-clients');
    expect(f).toMatchObject({ severity: 'error', field: 'spec.protectedServers[0].allowedClients.nets', line: expect.any(Number) });
    expect(f?.message).toContain(`allows ${what} as clients`);
  });

  it('can accept a real network of clients', () => {
    const r = compileText(spec('deny-list', '  metrics: {allowedNets: ["2001:db8::/32", 10.0.0.0/8], calicoNode: {}}'), 'nets');
    expect(r.findings.filter((f) => f.code === 'catch-all-clients')).toEqual([]);
  });
});

describe("kube-controllers' policy selecting system pods", () => {
  it('fails podLabels that match CoreDNS in kube-system: cluster DNS would end in the default deny', () => {
    const r = compileText(spec('deny-list', '  calicoNamespace: kube-system', '  metrics: {kubeControllers: {podLabels: {k8s-app: kube-dns}}}'), 'dns');
    const f = r.findings.find((x) => x.code === 'selects-system-pods');
    expect(f).toMatchObject({ severity: 'error', field: 'spec.metrics.kubeControllers.podLabels', line: expect.any(Number) });
    expect(f?.message).toContain('selects CoreDNS (k8s-app=kube-dns in kube-system) too');
    expect(f?.message).toContain('the cluster loses DNS (UDP and TCP 53) for every pod');
  });

  it("can say the default deny of kube-controllers' other ports is harmless only when the policy selects kube-controllers alone", () => {
    const own = compileText(spec('deny-list', '  calicoNamespace: kube-system', '  metrics: {kubeControllers: {}}'), 'kc');
    expect(own.warnings?.find((f) => f.code === 'namespace-default-deny')?.hint).toMatch(/^kube-controllers serves nothing else/);
    const other = compileText(spec('deny-list', '  calicoNamespace: kube-system', '  metrics: {kubeControllers: {podLabels: {app: controllers}}}'), 'kc');
    expect(other.warnings?.find((f) => f.code === 'namespace-default-deny')?.hint).toMatch(/^allow the pods' other ports with a policy of their own, or select only the server's pods/);
  });
});
