/**
 * Auto mode on the emitted objects: the model creates `<node>-auto-hep` for the nodes of the
 * spec (the pipeline passes them), and each emitted policy selects the automatic host
 * endpoints of exactly the nodes it is meant for.
 */
import { compileOk, compileText } from '../support/compile';
import { buildModel, DEFAULT_ALLOW_PROFILE, type Model } from '../../lib/verify/model';

const auto = compileOk('clusters/auto-hep.yaml');
const plan = auto.plan;
if (!plan?.autoHostEndpoints) throw new Error('clusters/auto-hep.yaml is not in auto mode');
const model: Model = buildModel(auto.objects, { failsafeDefaults: plan.spec.failsafe, nodes: plan.autoHostEndpoints.nodes });

const CP = ['ip-10-20-0-10.ec2.internal', 'ip-10-20-1-10.ec2.internal'];
const WORKERS = ['ip-10-20-1-21.ec2.internal', 'ip-10-20-2-37.ec2.internal'];

/** The nodes whose automatic host endpoint a policy selects, in either direction. */
function selectedNodes(policy: string): string[] {
  return model.hostEndpoints
    .filter((h) => {
      const applied = model.policiesFor(h.labels);
      return [...applied.ingress, ...applied.egress].some((p) => p.ref.name === policy);
    })
    .map((h) => h.node)
    .sort();
}

describe('clusters/auto-hep.yaml', () => {
  it('can model one automatic host endpoint per node of the spec, as kube-controllers creates it', () => {
    expect(model.hostEndpoints.map((h) => [h.name, h.interfaceName, h.expectedIPs, h.profiles, h.labels['projectcalico.org/created-by']])).toEqual([
      [`${CP[0]}-auto-hep`, '*', ['10.20.0.10'], [DEFAULT_ALLOW_PROFILE], 'calico-kube-controllers'],
      [`${CP[1]}-auto-hep`, '*', ['10.20.1.10'], [DEFAULT_ALLOW_PROFILE], 'calico-kube-controllers'],
      [`${WORKERS[0]}-auto-hep`, '*', ['10.20.1.21'], [DEFAULT_ALLOW_PROFILE], 'calico-kube-controllers'],
      [`${WORKERS[1]}-auto-hep`, '*', ['10.20.2.37'], [DEFAULT_ALLOW_PROFILE], 'calico-kube-controllers'],
    ]);
    expect(model.issues).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['default-host', [...CP, ...WORKERS].sort()],
    ['restrict-calico-node-prometheus', [...CP, ...WORKERS].sort()],
    ['restrict-typha-prometheus', [...CP, ...WORKERS].sort()],
    ['protected-etcd-server', CP],
  ])('can make %s select the automatic host endpoints of exactly its nodes', (policy, nodes) => {
    expect(selectedNodes(policy)).toEqual(nodes);
  });

  it('can let the control plane and the admin network reach etcd, and no worker', () => {
    const etcd = auto.access?.servers.find((s) => s.server.id === 'etcd');
    const status = (client: string) => etcd?.cells.find((c) => c.client === client)?.status;
    expect([status('allowed-host'), status('allowed-network'), status('other-host'), status('external'), status('unlabelled-pod')]).toEqual(['allowed', 'allowed', 'denied', 'denied', 'denied']);
    expect(etcd?.targets.map((t) => (t.peer.kind === 'host' ? [t.peer.node, t.nodes] : t.peer.kind))).toEqual([[CP[0], 2]]);
    expect(auto.findings).toEqual([]);
  });

  it('fails to see any automatic host endpoint when the nodes are not given, and says so', () => {
    const blind = buildModel(auto.objects, { failsafeDefaults: plan.spec.failsafe });
    expect(blind.hostEndpoints).toEqual([]);
    expect(blind.issues.map((i) => i.message)).toEqual(['automatic host endpoints are enabled but no nodes were given: they are not modelled']);
  });
});

describe('auto mode in the allow-list approach', () => {
  const spec = (presets: string): string => `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: allow-list
  hostEndpoints: {mode: auto}
  nodes:
    - {name: cp-1, labels: {node-role.kubernetes.io/control-plane: ""}, interfaces: [{name: "*", expectedIPs: [10.0.0.1]}]}
    - {name: worker-1, interfaces: [{name: "*", expectedIPs: [10.0.0.2]}]}
  metrics: {allowedNets: [192.0.2.0/24], calicoNode: {}}
${presets}`;

  it('can leave egress to the default-allow profile while no egress policy selects the automatic host endpoints', () => {
    const r = compileText(spec(''), 'auto-allow');
    const dns = r.access?.essentials.find((e) => e.path.id === 'dns-tcp' && e.direction === 'outbound');
    expect(dns?.status).toBe('allowed');
    expect(dns?.probes[0]?.decidedBy).toEqual({ kind: 'profile', profile: DEFAULT_ALLOW_PROFILE, direction: 'Egress' });
  });

  it('can name the host-local paths an all-interfaces host endpoint cuts (Calico issue 4478)', () => {
    const r = compileText(spec('  hostTraffic: {presets: [api-server, kubelet, etcd, dns]}\n'), 'auto-allow');
    const cut = r.warnings?.find((f) => f.code === 'host-traffic-cut');
    expect(cut?.message).toContain('host-local Typha health 9098/TCP on every node, Felix health 9099/TCP on every node, loopback TCP 2381, 10257, 10259/TCP on every node, loopback UDP 53/UDP on every node');
    expect(cut?.hint).toBe('add calico-health, webhooks, loopback to spec.hostTraffic.presets (docs/presets.md), or allow these paths with policies of your own; ACCESS.md lists every probe');
  });

  it('can verify every always-needed preset in auto mode without a host-traffic-cut warning', () => {
    const r = compileText(spec('  hostTraffic: {presets: [api-server, kubelet, etcd, dns, calico-health, loopback, webhooks]}\n'), 'auto-allow');
    expect(r.findings).toEqual([]);
    expect(r.warnings?.map((f) => f.code)).toEqual(['pod-to-own-host']);
  });
});

describe('auto mode with an incomplete inventory', () => {
  const head = 'apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: allow-list\n  hostEndpoints: {mode: auto}\n';

  it('can say that kube-controllers creates the host endpoints no node of the spec stands for', () => {
    const r = compileText(`${head}  metrics: {allowedNets: [192.0.2.0/24], calicoNode: {}}\n`, 'empty');
    expect(r.findings).toEqual([]);
    expect(r.warnings?.find((f) => f.code === 'no-host-endpoint')).toMatchObject({
      severity: 'warning',
      message: 'TCP 9091 (calico-node metrics) runs on every node, but spec.nodes lists none: kube-controllers creates their host endpoints, but calico-shield cannot probe them',
      hint: "list the nodes with their addresses in spec.nodes (calico-shield nodes import --interface '*')",
    });
  });

  it('can say which paths of the control plane it could not probe, and which preset selects nothing', () => {
    const r = compileText(`${head}  nodes: [{name: w-1, interfaces: [{name: "*", expectedIPs: [10.0.0.2]}]}]\n  metrics: {allowedNets: [192.0.2.0/24], calicoNode: {}}\n  hostTraffic: {presets: [etcd, kubelet, dns, calico-health, loopback]}\n`, 'no-cp');
    expect(r.findings).toEqual([]);
    expect(r.warnings?.find((f) => f.code === 'host-traffic-cut')?.message).toBe(
      "allow-list: no policy allows these host paths of a node, so they are open only through Felix's failsafe ports: outbound Kubernetes API server 6443/TCP from every node to anywhere. Not probed, as no host endpoint has the role: inbound etcd 2379-2380/TCP to the control plane from the control plane, Kubernetes API server 6443/TCP to the control plane from nodes and pods; outbound etcd 2379-2380/TCP from the control plane to the control plane, kubelet API 10250/TCP from the control plane to every node, control plane to pods 443, 5443, 8443, 9443/TCP from the control plane to pods",
    );
    expect(r.warnings?.find((f) => f.code === 'selector-matches-nothing')).toMatchObject({ field: 'spec.hostTraffic.presets' });
  });
});
