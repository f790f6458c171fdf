/**
 * spec.hostEndpoints and node labels: in auto mode no HostEndpoint is planned, every policy
 * finds hosts by `projectcalico.org/created-by` and node labels, and spec.nodes is the
 * inventory of the automatic host endpoints; in static mode node labels are copied onto the
 * HostEndpoints and node selectors are resolved against them. Plus the spec's checks.
 */
import { printSelector, type Selector } from '../../lib/calico/selector';
import { planCluster, type ProtectionPlan } from '../../lib/plan/plan';
import { parseClusterSpec } from '../../lib/spec/parse';

const AUTO_NODES = `  hostEndpoints: {mode: auto}
  nodes:
    - name: cp-1
      labels: {node-role.kubernetes.io/control-plane: "", zone: a}
      interfaces: [{name: "*", expectedIPs: [10.0.0.1]}]
    - name: worker-1
      labels: {zone: b}
      interfaces: [{name: "*", expectedIPs: [10.0.0.2, "fd00::2"]}]
`;
const STATIC_NODES = `  nodes:
    - name: cp-1
      labels: {node-role.kubernetes.io/control-plane: "", zone: a}
      interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]
    - name: worker-1
      labels: {zone: b}
      interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}]
    - name: worker-2
      interfaces: [{name: eth0, expectedIPs: [10.0.0.3]}]
`;
const ETCD = `  metrics: {calicoNode: {}}
  protectedServers:
    - name: etcd
      port: 2379
      runsOn: {nodeSelector: {node-role.kubernetes.io/control-plane: ""}, workloads: [{namespace: etcd, labels: {app: etcd}}]}
      allowedClients: {nodeSelector: {zone: b}, nets: [192.0.2.0/24]}
`;

const text = (approach: string, body: string): string => `apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: ${approach}\n${body}`;
const parse = (approach: string, body: string) => parseClusterSpec('clusters/t.yaml', 't', Buffer.from(text(approach, body)));

function plan(approach: string, body: string): ProtectionPlan {
  const r = parse(approach, body);
  if (!r.spec) throw new Error(r.findings.map((f) => `${f.line}:${f.col} ${f.code} ${f.message}`).join('\n'));
  return planCluster(r.spec);
}

const print = (s: Selector | undefined): string => (s ? printSelector(s) : '-');
const AUTO = 'projectcalico.org/created-by == "calico-kube-controllers"';

describe('auto mode', () => {
  const deny = plan('deny-list', AUTO_NODES + ETCD);
  const allow = plan('allow-list', AUTO_NODES + ETCD);
  const etcd = (p: ProtectionPlan) => p.servers.find((s) => s.id === 'etcd');

  it.each<[string, (p: ProtectionPlan) => Selector | undefined, string]>([
    ['default-host', (p) => p.defaultAllow?.selector, AUTO],
    ['restrict-calico-node-prometheus', (p) => p.servers.find((s) => s.id === 'calico-node-metrics')?.policy.selector, AUTO],
    ['protected-etcd-server', (p) => etcd(p)?.policy.selector, `${AUTO} && node-role.kubernetes.io/control-plane == "" || projectcalico.org/namespace == "etcd" && app == "etcd"`],
    ['the clients of etcd', (p) => etcd(p)?.clientSelector, `allowed-etcd-client == "true" || ${AUTO} && zone == "b"`],
  ])('can select hosts by created-by and node labels in %s', (_what, pick, expected) => {
    expect(print(pick(deny))).toBe(expected);
  });

  it('can let the client nodes send to their server in the allow-list approach, selected by their labels', () => {
    const egress = etcd(allow)?.clientEgressPolicy;
    expect(print(egress?.selector)).toBe(`${AUTO} && zone == "b"`);
    expect(egress?.egress.map((r) => `${r.action} ${r.protocol} to ${print(r.destination.selector)} ${r.destinationPorts.join(',')}`)).toEqual([
      `Allow TCP to ${AUTO} && node-role.kubernetes.io/control-plane == "" || projectcalico.org/namespace == "etcd" && app == "etcd" 2379`,
    ]);
  });

  it('can plan no HostEndpoint, and the inventory of the automatic ones', () => {
    expect(deny.hostEndpoints).toEqual([]);
    expect(deny.hostSelector).toEqual({ kind: 'eq', key: 'projectcalico.org/created-by', value: 'calico-kube-controllers' });
    expect(deny.autoHostEndpoints?.nodes).toEqual([
      { name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '', zone: 'a' }, ips: ['10.0.0.1'] },
      { name: 'worker-1', labels: { zone: 'b' }, ips: ['10.0.0.2', 'fd00::2'] },
    ]);
  });

  it('can resolve node selectors against the inventory, for the probes', () => {
    expect([etcd(deny)?.hostNodes, deny.spec.protectedServers[0]?.allowedClients.nodes]).toEqual([['cp-1'], ['worker-1']]);
  });

  it('can prune failsafe ports with no node listed, since kube-controllers creates the host endpoints', () => {
    const p = plan('deny-list', '  hostEndpoints: {mode: auto}\n  metrics: {calicoNode: {}}\n  protectedServers: [{name: etcd, port: 2379, runsOn: {nodeSelector: {role: master}}}]\n');
    expect(p.failsafe?.removedInbound.map((e) => e.port)).toEqual([2379]);
  });

  it('can plan templates with a built node selector', () => {
    const p = plan('deny-list', `${AUTO_NODES.replace('{mode: auto}', '{mode: auto, templates: [{generateName: storage, nodeSelector: {zone: b}, interfaceCIDRs: [10.200.0.0/16], interfacePattern: "^bond[0-9]+$", labels: {net: storage}}]}')}`);
    expect(p.autoHostEndpoints?.templates.map((t) => [t.generateName, print(t.nodeSelector), t.interfaceCIDRs, t.interfacePattern, t.labels])).toEqual([
      ['storage', 'zone == "b"', ['10.200.0.0/16'], '^bond[0-9]+$', { net: 'storage' }],
    ]);
  });
});

describe('static mode with node labels', () => {
  const p = plan('allow-list', STATIC_NODES + ETCD.replace('{nodeSelector: {zone: b}, nets', '{nodes: [worker-2], nodeSelector: {zone: b}, nets'));

  it("can copy each node's labels onto its host endpoints, next to calico-shield's", () => {
    expect(p.hostEndpoints.map((h) => [h.name, h.labels])).toEqual([
      ['cp-1.eth0', { 'node-role.kubernetes.io/control-plane': '', 'protected-etcd-server': 'true', 'running-calico': 'true', zone: 'a' }],
      ['worker-1.eth0', { 'allowed-etcd-client': 'true', 'running-calico': 'true', zone: 'b' }],
      ['worker-2.eth0', { 'allowed-etcd-client': 'true', 'running-calico': 'true' }],
    ]);
  });

  it('can resolve node selectors at compile time, with the nodes named next to them', () => {
    const etcd = p.servers.find((s) => s.id === 'etcd');
    expect([etcd?.hostNodes, p.spec.protectedServers[0]?.allowedClients.nodes]).toEqual([['cp-1'], ['worker-1', 'worker-2']]);
    expect(print(etcd?.policy.selector)).toBe('protected-etcd-server == "true" || projectcalico.org/namespace == "etcd" && app == "etcd"');
    expect(print(etcd?.clientEgressPolicy?.selector)).toBe('running-calico == "true" && allowed-etcd-client == "true"');
  });
});

describe('spec.hostEndpoints and node checks', () => {
  it.each<[string, string, string, string, string, number, number]>([
    ['an unknown mode, with a did-you-mean', 'deny-list', '  hostEndpoints: {mode: atuo}\n', 'bad-mode', 'spec.hostEndpoints.mode', 5, 25],
    ['templates in static mode', 'deny-list', '  hostEndpoints: {templates: [{generateName: x, interfacePattern: eth1}]}\n', 'templates-static', 'spec.hostEndpoints.templates', 5, 30],
    ['a named interface in auto mode', 'deny-list', '  hostEndpoints: {mode: auto}\n  nodes: [{name: a, interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]}]\n', 'auto-interfaces', 'spec.nodes[0].interfaces', 6, 33],
    ['a node without addresses in auto mode', 'deny-list', '  hostEndpoints: {mode: auto}\n  nodes: [{name: a, interfaces: [{name: "*"}]}]\n', 'auto-interfaces', 'spec.nodes[0].interfaces', 6, 33],
    ['nodes by name in auto mode', 'deny-list', '  hostEndpoints: {mode: auto}\n  protectedServers: [{name: etcd, port: 2379, runsOn: {nodes: [a]}}]\n', 'nodes-by-name', 'spec.protectedServers[0].runsOn.nodes', 6, 63],
    ['client nodes by name in auto mode', 'deny-list', '  hostEndpoints: {mode: auto}\n  protectedServers: [{name: etcd, port: 2379, runsOn: {nodeSelector: {a: b}}, allowedClients: {nodes: [a]}}]\n', 'nodes-by-name', 'spec.protectedServers[0].allowedClients.nodes', 6, 103],
    ['a lookahead in interfacePattern', 'deny-list', '  hostEndpoints: {mode: auto, templates: [{generateName: x, interfacePattern: "eth(?!0)"}]}\n', 'bad-interface-pattern', 'spec.hostEndpoints.templates[0].interfacePattern', 5, 79],
    // RegExp accepts these three; Go's regexp (RE2), which kube-controllers compiles them with, does not.
    ['interfacePattern [^]', 'deny-list', '  hostEndpoints: {mode: auto, templates: [{generateName: x, interfacePattern: "[^]"}]}\n', 'bad-interface-pattern', 'spec.hostEndpoints.templates[0].interfacePattern', 5, 79],
    ['interfacePattern x{1001}', 'deny-list', '  hostEndpoints: {mode: auto, templates: [{generateName: x, interfacePattern: "x{1001}"}]}\n', 'bad-interface-pattern', 'spec.hostEndpoints.templates[0].interfacePattern', 5, 79],
    ['interfacePattern \\u0030', 'deny-list', "  hostEndpoints: {mode: auto, templates: [{generateName: x, interfacePattern: '\\u0030'}]}\n", 'bad-interface-pattern', 'spec.hostEndpoints.templates[0].interfacePattern', 5, 79],
    ['a template without interfaceCIDRs or interfacePattern', 'deny-list', '  hostEndpoints: {mode: auto, templates: [{generateName: x}]}\n', 'missing-field', 'spec.hostEndpoints.templates[0]', 5, 43],
    ['two templates of one name', 'deny-list', '  hostEndpoints: {mode: auto, templates: [{generateName: x, interfacePattern: a}, {generateName: x, interfacePattern: b}]}\n', 'duplicate-template', 'spec.hostEndpoints.templates[1].generateName', 5, 98],
    ['created-by in a template\'s labels', 'deny-list', '  hostEndpoints: {mode: auto, templates: [{generateName: x, interfacePattern: a, labels: {projectcalico.org/created-by: me}}]}\n', 'reserved-label', 'spec.hostEndpoints.templates[0].labels["projectcalico.org/created-by"]', 5, 121],
    ['running-calico in static node labels', 'deny-list', '  nodes: [{name: a, labels: {running-calico: "false"}, interfaces: [{name: eth0}]}]\n', 'reserved-label', 'spec.nodes[0].labels["running-calico"]', 5, 46],
    ['created-by in auto node labels', 'deny-list', '  hostEndpoints: {mode: auto}\n  nodes: [{name: a, labels: {projectcalico.org/created-by: x}, interfaces: [{name: "*", expectedIPs: [10.0.0.1]}]}]\n', 'reserved-label', 'spec.nodes[0].labels["projectcalico.org/created-by"]', 6, 60],
    ['a static node selector no node matches', 'deny-list', '  nodes: [{name: a, interfaces: [{name: eth0}]}]\n  protectedServers: [{name: etcd, port: 2379, runsOn: {nodeSelector: {role: master}}}]\n', 'no-matching-node', 'spec.protectedServers[0].runsOn.nodeSelector', 6, 70],
    ['an empty node selector', 'deny-list', '  hostEndpoints: {mode: auto}\n  protectedServers: [{name: etcd, port: 2379, runsOn: {nodeSelector: {}}}]\n', 'empty-selector', 'spec.protectedServers[0].runsOn.nodeSelector', 6, 70],
  ])('fails %s', (_what, approach, body, code, field, line, col) => {
    const r = parse(approach, body);
    expect(r.spec).toBeUndefined();
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'error', code, field, line, col, hint: expect.any(String) })]);
  });

  it('can say how to pick one node by label in auto mode', () => {
    const [f] = parse('deny-list', '  hostEndpoints: {mode: auto}\n  protectedServers: [{name: etcd, port: 2379, runsOn: {nodes: [a]}}]\n').findings;
    expect(f?.hint).toContain('nodeSelector: {kubernetes.io/hostname: <node>}');
  });

  it('can suggest the mode a typo meant', () => {
    expect(parse('deny-list', '  hostEndpoints: {mode: atuo}\n').findings[0]?.hint).toMatch(/^did you mean "auto"\?/);
  });
});
