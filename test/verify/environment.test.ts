/**
 * The cluster around the objects, as Felix v3.32.1 and tigera/operator v1.42.3 make it: each
 * mechanism the evaluator models beyond the objects, with the source it follows, and each
 * finding of the environment work turned into a test that fails without the mechanism.
 */
import { parseCidr } from '../../lib/calico/net';
import { operatorObjects } from '../../lib/calico/operator';
import { evaluate, type Flow, type Peer, type WorkloadPeer } from '../../lib/verify/evaluator';
import { explain } from '../../lib/verify/explain';
import { buildModel, tunnelAddress, type ModelEnvironment } from '../../lib/verify/model';
import { clusterEnvironment } from '../../lib/verify/environment';
import { compileText } from '../support/compile';
import { context, denyList, felixConfiguration, gnp, hep, kubeControllers, master, node0, np, plainPod, prometheusPod } from './objects';

const tcp = (source: Peer, destination: Peer, port: number): Flow => ({ source, destination, protocol: 'TCP', port });
const pool = (cidr: string, natOutgoing = true) => {
  const parsed = parseCidr(cidr);
  if (!parsed.ok) throw new Error(cidr);
  return { cidr: parsed.cidr, natOutgoing };
};
const env = (overrides: Partial<ModelEnvironment> = {}): ModelEnvironment => ({
  ipPools: [pool('192.168.0.0/16')],
  natOutgoingExclusions: 'IPPoolsOnly',
  encapsulation: 'None',
  wireguard: false,
  ...overrides,
});

describe('masquerade of pod traffic (v3.32.1 felix/rules/nat.go:55-82)', () => {
  // The document's labelled Prometheus pod (192.168.1.10, in the pool) on kubeadm-node-0 scrapes kubeadm-master.
  it('can masquerade a natOutgoing pod to its node address towards a node outside the pools, so the labelled pod is denied', () => {
    const verdict = evaluate(buildModel(denyList, { ...context, environment: env() }), tcp(prometheusPod, master, 9091));
    expect(verdict.rewrites).toEqual([{ kind: 'masquerade', node: 'kubeadm-node-0', source: '10.100.0.16', exclusions: 'IPPoolsOnly' }]);
    expect(verdict.allowed).toBe(false);
    expect(verdict.decidedBy).toMatchObject({ kind: 'policy', policy: { name: 'restrict-calico-node-prometheus' }, action: 'Deny' });
    expect(verdict.steps.join('\n')).toContain("to node kubeadm-node-0's address 10.100.0.16");
  });

  it.each<[string, Partial<ModelEnvironment>]>([
    ['natOutgoingExclusions IPPoolsAndHostIPs (nat.go:60-67: not towards all-hosts-net)', { natOutgoingExclusions: 'IPPoolsAndHostIPs' }],
    ['a pool without natOutgoing (the pod is not in masq-ipam-pools)', { ipPools: [pool('192.168.0.0/16', false)] }],
    ['a pod outside every pool', { ipPools: [pool('10.244.0.0/16')] }],
    ['no environment: no pools, no NAT', {}],
  ])('can keep the pod address with %s', (_title, overrides) => {
    const environment = Object.keys(overrides).length === 0 ? undefined : env(overrides);
    const verdict = evaluate(buildModel(denyList, { ...context, ...(environment && { environment }) }), tcp(prometheusPod, master, 9091));
    expect(verdict.rewrites).toEqual([]);
    expect(verdict.allowed).toBe(true);
  });

  it('can read natOutgoingExclusions from FelixConfiguration default, over the environment', () => {
    const objects = [...denyList, felixConfiguration('default', { natOutgoingExclusions: 'IPPoolsAndHostIPs' })];
    const model = buildModel(objects, { ...context, environment: env() });
    expect(model.felix('kubeadm-node-0').natOutgoingExclusions).toEqual({ value: 'IPPoolsAndHostIPs', configuredBy: 'FelixConfiguration default' });
    expect(evaluate(model, tcp(prometheusPod, master, 9091)).allowed).toBe(true);
  });

  it('fails to masquerade pod-to-pod traffic (the destination is in a pool)', () => {
    const verdict = evaluate(buildModel(denyList, { ...context, environment: env() }), tcp(prometheusPod, kubeControllers, 9094));
    expect(verdict.rewrites).toEqual([]);
  });
});

describe('tunnels: a host reaching a pod on another node (ipip_mgr.go:190-201, vxlan_mgr.go:314-342)', () => {
  const webPod: WorkloadPeer = { ...plainPod, node: 'kubeadm-master' };
  it.each(['IPIP', 'VXLAN'] as const)('can send from the tunnel address with %s', (encapsulation) => {
    const environment = env({ encapsulation });
    const verdict = evaluate(buildModel(denyList, { ...context, environment }), tcp(node0, webPod, 80));
    expect(verdict.rewrites).toEqual([{ kind: 'tunnel', node: 'kubeadm-node-0', source: tunnelAddress('kubeadm-node-0', environment)?.text }]);
    expect(tunnelAddress('kubeadm-node-0', environment)?.text).toMatch(/^192\.168\./);
  });

  it('can send from the host address without encapsulation', () => {
    expect(evaluate(buildModel(denyList, { ...context, environment: env() }), tcp(node0, { ...plainPod, node: 'kubeadm-master' }, 80)).rewrites).toEqual([]);
  });

  it('can give each node one stable tunnel address, whatever the node order', () => {
    const e = env({ encapsulation: 'VXLAN' });
    expect(tunnelAddress('node-a', e)?.text).toBe(tunnelAddress('node-a', e)?.text);
    expect(tunnelAddress('node-a', e)?.text).not.toBe(tunnelAddress('node-b', e)?.text);
  });

  it('can list the tunnel address on automatic host endpoints, as kube-controllers does (hostendpoints.go:502-527)', () => {
    const environment = env({ encapsulation: 'IPIP' });
    const kcc = { apiVersion: 'projectcalico.org/v3', kind: 'KubeControllersConfiguration', metadata: { name: 'default' }, spec: { controllers: { node: { hostEndpoint: { autoCreate: 'Enabled' } } } } };
    const model = buildModel([kcc], { ...context, environment, nodes: [{ name: 'w-1', ips: ['10.0.0.2'] }] });
    expect(model.hostEndpoints.map((h) => h.expectedIPs)).toEqual([['10.0.0.2', tunnelAddress('w-1', environment)?.text]]);
    // The tunnel address is no node address (Felix's all-hosts-net).
    expect(model.nodeAddress('w-1', 4)).toBe('10.0.0.2');
  });
});

describe('encapsulation accepted before host endpoint policy (felix/rules/static.go:210-317, 749-828)', () => {
  // allow-list hosts: nothing allows UDP 4789 or IP protocol 4; Felix accepts them from Calico hosts anyway.
  const objects = [
    hep('kubeadm-master.eth0', { 'running-calico': 'true' }, { node: 'kubeadm-master', interfaceName: 'eth0', expectedIPs: ['10.100.0.15'] }),
    hep('kubeadm-node-0.eth0', { 'running-calico': 'true' }, { node: 'kubeadm-node-0', interfaceName: 'eth0', expectedIPs: ['10.100.0.16'] }),
    gnp('deny-all', { selector: 'running-calico == "true"', order: 1, ingress: [{ action: 'Deny' }], egress: [{ action: 'Deny' }] }),
  ];
  const stranger: Peer = { kind: 'external', ip: '203.0.113.9' };
  it.each<[string, Partial<ModelEnvironment>, Flow, boolean]>([
    ['VXLAN from another Calico host', { encapsulation: 'VXLAN' }, { source: { kind: 'external', ip: '10.100.0.16' }, destination: master, protocol: 'UDP', port: 4789 }, true],
    ['VXLAN from an address that is no Calico host', { encapsulation: 'VXLAN' }, { source: stranger, destination: master, protocol: 'UDP', port: 4789 }, false],
    ['VXLAN when the pools do not use it', { encapsulation: 'IPIP' }, { source: { kind: 'external', ip: '10.100.0.16' }, destination: master, protocol: 'UDP', port: 4789 }, false],
    ['IP-in-IP from another Calico host', { encapsulation: 'IPIP' }, { source: { kind: 'external', ip: '10.100.0.16' }, destination: master, protocol: 4, port: 0 }, true],
    ['IP-in-IP to another Calico host (outbound)', { encapsulation: 'IPIP' }, { source: master, destination: { kind: 'external', ip: '10.100.0.16' }, protocol: 4, port: 0 }, true],
    ['WireGuard from anywhere when enabled', { wireguard: true }, { source: stranger, destination: master, protocol: 'UDP', port: 51820 }, true],
    ['WireGuard when not enabled', {}, { source: stranger, destination: master, protocol: 'UDP', port: 51820 }, false],
  ])('%s', (_title, overrides, flow, allowed) => {
    const verdict = evaluate(buildModel(objects, { ...context, environment: env(overrides) }), flow);
    expect(verdict.allowed).toBe(allowed);
    if (allowed) expect(verdict.decidedBy).toMatchObject({ kind: 'felix-accept', source: expect.stringMatching(/^felix\/rules\/static\.go:/) });
  });

  it.each<[string, Partial<ModelEnvironment>, Flow]>([
    ['IP-in-IP from an address that is no Calico host, whatever the policy allows', { encapsulation: 'IPIP' }, { source: stranger, destination: master, protocol: 4, port: 0 }],
    ['VXLAN from an address that is no Calico host, even to a node without host endpoint', { encapsulation: 'VXLAN' }, { source: stranger, destination: { ...master, node: 'no-hep-node' }, protocol: 'UDP', port: 4789 }],
  ])('fails %s: Felix drops it before any policy (static.go:265-269, 285-291)', (_title, overrides, flow) => {
    // allow-all: a policy would let it in; Felix's INPUT chain drops it first.
    const open = [objects[0] as (typeof objects)[number], gnp('allow-all', { selector: 'all()', order: 1, ingress: [{ action: 'Allow' }] })];
    const verdict = evaluate(buildModel(open, { ...context, environment: env(overrides) }), flow);
    expect(verdict.allowed).toBe(false);
    expect(verdict.decidedBy).toMatchObject({ kind: 'felix-drop' });
  });
});

describe("tiers, and the operator's (tigera/operator v1.42.3)", () => {
  it("can decide kube-controllers' ingress in the calico-system tier before the default tier", () => {
    const model = buildModel([...operatorObjects(9094), ...denyList], context);
    expect(model.issues).toEqual([]);
    expect(model.policies.map((p) => `${p.tier}/${p.ref.name}`).slice(0, 2)).toEqual(['calico-system/calico-system.kube-controller-access', 'calico-system/calico-system.default-deny']);
    const verdict = evaluate(model, tcp(prometheusPod, kubeControllers, 9094));
    expect(verdict.allowed).toBe(false);
    expect(verdict.decidedBy).toMatchObject({ kind: 'end-of-tier-deny', tier: 'calico-system' });
    const tigeraPrometheus: WorkloadPeer = { kind: 'workload', name: 'prometheus-0', namespace: 'tigera-prometheus', namespaceLabels: { name: 'tigera-prometheus' }, labels: { 'k8s-app': 'tigera-prometheus' }, ip: '192.168.1.20', node: 'kubeadm-node-0', hostInterface: 'eth0' };
    expect(evaluate(model, tcp(tigeraPrometheus, kubeControllers, 9094)).decidedBy).toMatchObject({ kind: 'policy', policy: { name: 'calico-system.kube-controller-access' } });
  });

  it('can go on to the next tier after a Pass rule, or a tier whose defaultAction is Pass', () => {
    const tier = (name: string, order: number, defaultAction?: string) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: { order, ...(defaultAction && { defaultAction }) } });
    const passing = [tier('first', 10), gnp('pass-9091', { tier: 'first', selector: 'all()', ingress: [{ action: 'Pass', protocol: 'TCP', destination: { ports: [9091] } }] })];
    expect(evaluate(buildModel([...passing, ...denyList], context), tcp(prometheusPod, master, 9091)).decidedBy).toMatchObject({ kind: 'policy', policy: { name: 'default-host' } });
    const silent = [tier('first', 10, 'Pass'), gnp('nothing', { tier: 'first', selector: 'all()', ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [1] } }] })];
    expect(evaluate(buildModel([...silent, ...denyList], context), tcp(prometheusPod, master, 9091)).allowed).toBe(true);
    // A tier without an order comes after every ordered one, the default tier included (policy_sorter.go:146-160).
    const last = [{ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'unordered' }, spec: {} }, gnp('deny-all', { tier: 'unordered', selector: 'all()', ingress: [{ action: 'Deny' }] })];
    const lastModel = buildModel([...last, ...denyList], context);
    expect(lastModel.policies.at(-1)?.ref.name).toBe('deny-all');
    expect(evaluate(lastModel, tcp(prometheusPod, master, 9091)).decidedBy).toMatchObject({ kind: 'policy', policy: { name: 'default-host' } });
    const denying = [tier('first', 10), gnp('nothing', { tier: 'first', selector: 'all()', ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [1] } }] })];
    expect(evaluate(buildModel([...denying, ...denyList], context), tcp(prometheusPod, master, 9091)).decidedBy).toMatchObject({ kind: 'end-of-tier-deny', tier: 'first' });
  });
});

describe('policies of equal order, per Calico minor', () => {
  // A NetworkPolicy "a" in monitoring and a GlobalNetworkPolicy "b", both order 10, both
  // selecting the Prometheus pod. v3.32 breaks the tie on name/namespace/kind (v3.32.1
  // felix/calc/policy_sorter.go:388-397): "a/monitoring/NetworkPolicy" first. v3.31 and v3.30
  // on the stored name (policy_sorter.go:317-324): "default.b" before "monitoring/default.a".
  const objects = [
    np('monitoring', 'a', { selector: "app == 'prometheus'", order: 10, ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [9090] } }] }),
    gnp('b', { selector: "app == 'prometheus'", order: 10, ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [9090] } }] }),
  ];

  it.each([
    ['v3.32', true, 'a'],
    ['v3.31', false, 'b'],
    ['v3.30', false, 'b'],
  ] as const)('for Calico %s: allowed %s, decided by %s', (calicoVersion, allowed, policy) => {
    const model = buildModel(objects, { ...context, calicoVersion });
    expect(model.issues).toEqual([]);
    const verdict = evaluate(model, tcp(kubeControllers, prometheusPod, 9090));
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.decidedBy).toMatchObject({ kind: 'policy', policy: { name: policy } });
  });
});

describe('the findings of the environment work, on whole specs', () => {
  const cluster = (environment: string, body: string): string =>
    [
      'apiVersion: calico-shield/v1alpha1',
      'kind: Cluster',
      'spec:',
      '  approach: allow-list',
      environment,
      '  nodes:',
      '    - {name: cp-1, labels: {node-role.kubernetes.io/control-plane: ""}, interfaces: [{name: "*", expectedIPs: [10.0.0.11]}]}',
      '    - {name: worker-1, interfaces: [{name: "*", expectedIPs: [10.0.1.21]}]}',
      body,
    ].join('\n');
  const etcd = [
    '  protectedServers:',
    '    - name: etcd',
    '      port: 2379',
    '      runsOn: {nodeSelector: {node-role.kubernetes.io/control-plane: ""}}',
    '      allowedClients:',
    '        nodeSelector: {node-role.kubernetes.io/control-plane: ""}',
    '        workloads: [{namespace: backup, labels: {app: etcd-backup}}]',
    '',
  ].join('\n');

  it('can keep the API server reaching its stacked etcd over 127.0.0.1 (the lockout of allow-list-essentials)', () => {
    const r = compileText(cluster('  environment: {natOutgoingExclusions: IPPoolsAndHostIPs}', etcd), 'lo');
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const loopback = r.objects?.find((o) => o.metadata.name === 'protected-etcd-server-loopback');
    expect(loopback?.spec?.['selector']).toBe('protected-etcd-server == "true" && allowed-etcd-client == "true"');
    const cell = r.access?.servers.find((s) => s.server.id === 'etcd')?.cells.find((c) => c.client === 'allowed-host');
    expect(cell?.probes.map((p) => [p.source.kind === 'host' && p.source.interface, p.allowed])).toContainEqual(['lo', true]);
    // Without its loopback policy, the probe is the lockout: denied at host-egress (2379 is no outbound failsafe port any more).
    const without = (r.objects ?? []).filter((o) => o.metadata.name !== 'protected-etcd-server-loopback');
    const { environment, objects: installed } = clusterEnvironment(r.spec ?? fail());
    const result = explain(without, 'host cp-1/lo ip 127.0.0.1 -> host cp-1/lo ip 127.0.0.1:2379/TCP', { failsafeDefaults: r.spec?.failsafe, environment, installed });
    if (!result.ok) throw new Error(`the query does not parse: ${JSON.stringify(result)}`);
    expect(result.explanation.verdict.allowed).toBe(false);
    expect(result.explanation.verdict.stages.find((s) => !s.allowed)?.point).toBe('host-egress');
  });

  it('fails with exposed-port when masquerade makes every pod of an allowed client node that node', () => {
    const cp2 = '    - {name: cp-2, labels: {node-role.kubernetes.io/control-plane: ""}, interfaces: [{name: "*", expectedIPs: [10.0.0.12]}]}\n';
    const r = compileText(cluster('  environment: {install: operator}', cp2 + etcd), 'nat');
    const exposed = r.findings.find((f) => f.code === 'exposed-port');
    expect(exposed?.message).toContain('is reachable from the class "Unlabelled pod"');
    expect(exposed?.message).toMatch(/after Felix masqueraded it to node cp-[12]'s address 10\.0\.0\.1[12]/);
    expect(exposed?.hint).toMatch(/^set spec\.environment\.natOutgoingExclusions: IPPoolsAndHostIPs/);
  });

  it('fails with client-cut when masquerade hides the labelled Prometheus pod, and passes with IPPoolsAndHostIPs written', () => {
    const metrics = '  metrics: {calicoNode: {}}\n';
    const cut = compileText(cluster('  environment: {install: operator}', metrics), 'prom');
    expect(cut.findings.map((f) => f.code)).toContain('client-cut');
    expect(cut.findings.find((f) => f.code === 'client-cut')?.message).toContain('after Felix masqueraded it');
    const fixed = compileText(cluster('  environment: {install: operator, natOutgoingExclusions: IPPoolsAndHostIPs}', metrics), 'prom');
    expect(fixed.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(fixed.objects?.find((o) => o.kind === 'FelixConfiguration')?.spec).toEqual({ natOutgoingExclusions: 'IPPoolsAndHostIPs' });
  });

  it('fails with client-cut when a host client reaches a server pod from its tunnel address, which static host endpoints do not list', () => {
    const vault = [
      '  protectedServers:',
      '    - name: vault',
      '      port: 8200',
      '      runsOn: {workloads: [{namespace: vault, labels: {app: vault}}]}',
      '      allowedClients: {nodes: [worker-1]}',
      '  hostTraffic: {presets: [api-server, kubelet, etcd, dns, calico-health, loopback, webhooks, vxlan]}',
      '',
    ].join('\n');
    const cut = compileText(cluster('  environment: {encapsulation: VXLAN, natOutgoingExclusions: IPPoolsAndHostIPs}', vault), 'tunnel');
    const finding = cut.findings.find((f) => f.code === 'client-cut' && f.message.includes('"Allowed host"'));
    expect(finding?.message).toMatch(/sent from node worker-1's tunnel address 192\.168\.\d+\.\d+/);
    expect(finding?.hint).toContain('use hostEndpoints.mode: auto');
    // Without encapsulation the host's own address arrives, which its host endpoint lists.
    const plain = compileText(cluster('  environment: {encapsulation: None, natOutgoingExclusions: IPPoolsAndHostIPs}', vault), 'tunnel');
    expect(plain.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('can allow the API server on 443 where the environment says so, in ACCESS.md and explain', () => {
    const r = compileText(cluster('  environment: {apiServer: {port: 443}, natOutgoingExclusions: IPPoolsAndHostIPs}', '  hostTraffic: {presets: [api-server, kubelet, etcd, dns, calico-health, loopback, webhooks, ipip]}\n'), 'api443');
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const api = r.access?.essentials.filter((e) => e.path.id === 'kube-apiserver') ?? [];
    expect(api.map((e) => [e.direction, e.port, e.status])).toEqual([
      ['inbound', 443, 'allowed'],
      ['outbound', 443, 'allowed'],
    ]);
    // Not through a failsafe port (443 is none): by the preset's policy.
    for (const e of api) for (const p of e.probes) expect(p.decidedBy).toMatchObject({ kind: 'policy', policy: { name: 'allow-api-server' } });
    const { environment, objects: installed } = clusterEnvironment(r.spec ?? fail());
    const result = explain(r.objects ?? [], 'host worker-1 -> host cp-1:443/TCP', { failsafeDefaults: r.spec?.failsafe, environment, installed });
    expect(result.ok && result.explanation.verdict.allowed).toBe(true);
    expect(result.ok && result.explanation.verdict.decidedBy).toMatchObject({ kind: 'policy', policy: { name: 'allow-api-server' } });
  });

  it("fails with operator-tier when kube-controllers' metrics are asked for on an operator install", () => {
    const r = compileText(cluster('  environment: {install: operator, natOutgoingExclusions: IPPoolsAndHostIPs}', '  metrics: {allowedNets: [10.9.0.0/24], kubeControllers: {}}\n'), 'op');
    const found = r.findings.filter((f) => f.code === 'operator-tier');
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]?.message).toContain('calico-system.kube-controller-access admits only pods k8s-app=tigera-prometheus in namespace tigera-prometheus');
    expect(found[0]?.hint).toContain('leave metrics.kubeControllers out on operator installs');
    // From manifests, the same spec protects 9094 itself.
    const manifests = compileText(cluster('  environment: {install: manifests, natOutgoingExclusions: IPPoolsAndHostIPs}', '  metrics: {allowedNets: [10.9.0.0/24], kubeControllers: {}}\n'), 'op');
    expect(manifests.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(manifests.objects?.find((o) => o.kind === 'NetworkPolicy')?.metadata.namespace).toBe('kube-system');
  });
});

function fail(): never {
  throw new Error('no spec');
}
