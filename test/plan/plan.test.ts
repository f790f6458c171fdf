import { printSelector } from '../../lib/calico/selector';
import { hostEndpointName, planCluster, ProtectionPlan, RulePlan } from '../../lib/plan/plan';
import { parseClusterSpec } from '../../lib/spec/parse';

function plan(specBody: string): ProtectionPlan {
  const text = `apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n${specBody}`;
  const r = parseClusterSpec('clusters/t.yaml', 't', Buffer.from(text));
  if (!r.spec) throw new Error(r.findings.map((f) => `${f.line}:${f.col} ${f.message}`).join('\n'));
  return planCluster(r.spec);
}

const NODES = `  nodes:
    - name: a
      interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}, {name: "*"}]
    - name: b
      interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}]
`;
const SERVER = `  protectedServers:
    - name: etcd
      port: 2379
      runsOn: {nodes: [a]}
      allowedClients: {nodes: [b], nets: [192.0.2.0/24], workloads: [{namespace: backup, labels: {app: etcd-backup}}]}
`;

const rule = (r: RulePlan): string =>
  [r.action, r.protocol, r.source.selector ? `from ${printSelector(r.source.selector)}` : '', r.source.notSelector ? `from not ${printSelector(r.source.notSelector)}` : '', r.source.namespaceSelector ? `ns ${printSelector(r.source.namespaceSelector)}` : '', r.destination.selector ? `to ${printSelector(r.destination.selector)}` : '', `ports ${r.destinationPorts.join(',')}`]
    .filter(Boolean)
    .join(' ');

describe('planCluster', () => {
  it.each([
    ['deny-list', 'Deny TCP from not allowed-etcd-client == "true" || projectcalico.org/namespace == "backup" && app == "etcd-backup" ports 2379'],
    ['allow-list', 'Allow TCP from allowed-etcd-client == "true" || projectcalico.org/namespace == "backup" && app == "etcd-backup" ports 2379'],
  ])('can write the protecting rule of the %s approach', (approach, expected) => {
    const p = plan(`  approach: ${approach}\n${NODES}${SERVER}`);
    const etcd = p.servers.find((s) => s.id === 'etcd');
    expect(etcd?.policy.name).toBe('protected-etcd-server');
    expect(printSelector(etcd?.policy.selector ?? { kind: 'all' })).toBe('protected-etcd-server == "true"');
    expect(etcd?.policy.ingress.map(rule)).toEqual([expected]);
  });

  it('can let host-networked clients send to their server in the allow-list approach only', () => {
    const allow = plan(`  approach: allow-list\n${NODES}${SERVER}`).servers.find((s) => s.id === 'etcd');
    expect(allow?.clientEgressPolicy?.name).toBe('allowed-etcd-client-egress');
    expect(printSelector(allow?.clientEgressPolicy?.selector ?? { kind: 'all' })).toBe('running-calico == "true" && allowed-etcd-client == "true"');
    expect(allow?.clientEgressPolicy?.egress.map(rule)).toEqual(['Allow TCP to protected-etcd-server == "true" ports 2379']);
    expect(plan(`  approach: deny-list\n${NODES}${SERVER}`).servers.find((s) => s.id === 'etcd')?.clientEgressPolicy).toBeUndefined();
  });

  it('can allow the clients of a deny-list server on pods before denying the rest of its port', () => {
    const p = plan(`  approach: deny-list\n  protectedServers:\n    - name: vault\n      port: 8200\n      runsOn: {workloads: [{namespace: vault, labels: {app: vault}}]}\n      allowedClients: {workloads: [{labels: {app: web}}]}\n`);
    expect(p.servers[0].policy.ingress.map(rule)).toEqual(['Allow TCP from allowed-vault-client == "true" || app == "web" ports 8200', 'Deny TCP ports 8200']);
  });

  it('can label each node’s host endpoints with the servers it runs and the servers it is a client of', () => {
    const p = plan(`  approach: deny-list\n${NODES}${SERVER}`);
    expect(p.hostEndpoints.map((h) => [h.name, Object.keys(h.labels).join(',')])).toEqual([
      ['a.all-interfaces', 'protected-etcd-server,running-calico'],
      ['a.eth0', 'protected-etcd-server,running-calico'],
      ['b.eth0', 'allowed-etcd-client,running-calico'],
    ]);
    expect(p.networkSets.map((n) => [n.name, n.nets.join(',')])).toEqual([['allowed-etcd-client', '192.0.2.0/24']]);
  });

  it('can prune a protected port from both failsafe lists and keep every other entry', () => {
    const p = plan(`  approach: deny-list\n${NODES}${SERVER}`);
    expect(p.failsafe?.removedInbound.map((e) => e.port)).toEqual([2379]);
    expect(p.failsafe?.removedOutbound.map((e) => e.port)).toEqual([2379]);
    expect(p.failsafe?.inbound.map((e) => e.port)).toEqual([22, 68, 179, 2380, 5473, 6443, 6666, 6667]);
  });

  it('can leave Felix alone when no protected port is failsafe, so the cluster keeps its lists', () => {
    // 9091 and 9093 are not failsafe ports: nothing to prune, nothing written (the lists are replaced whole).
    expect(plan(`  approach: deny-list\n${NODES}  metrics: {calicoNode: {}, typha: {}}\n`).failsafe).toBeUndefined();
    const kept = plan(`  approach: deny-list\n${NODES}  failsafe: {inbound: [{protocol: TCP, port: 22, net: 192.0.2.0/24}]}\n  metrics: {calicoNode: {}}\n`);
    expect(kept.failsafe).toBeUndefined();
  });

  it('can leave Felix alone when there are no host endpoints, where failsafe ports do nothing', () => {
    expect(plan('  approach: deny-list\n  metrics: {kubeControllers: {}}\n').failsafe).toBeUndefined();
  });

  it('can reach kube-controllers from labelled sources in every namespace and from network sets', () => {
    const p = plan('  approach: allow-list\n  metrics: {kubeControllers: {}}\n');
    expect(p.servers[0].policy).toMatchObject({ kind: 'NetworkPolicy', namespace: 'calico-system', name: 'restrict-kube-controllers-prometheus' });
    expect(p.servers[0].policy.ingress.map(rule)).toEqual([
      'Allow TCP from calico-prometheus-access == "true" ns all() ports 9094',
      'Allow TCP from calico-prometheus-access == "true" ns global() ports 9094',
    ]);
  });

  it.each([
    ['eth0', 'n.eth0'],
    ['*', 'n.all-interfaces'],
    ['eth0.100', 'n.eth0-100-'],
    ['Eth_0', 'n.eth-0-'],
  ])('can name the host endpoint of interface %s', (iface, prefix) => {
    expect(hostEndpointName('n', iface).startsWith(prefix)).toBe(true);
    expect(hostEndpointName('n', iface)).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  });

  it('fails to confuse two interfaces whose slugs are equal', () => {
    expect(hostEndpointName('n', 'Eth_0')).not.toBe(hostEndpointName('n', 'eth-0'));
    expect(hostEndpointName('n', 'eth.0')).not.toBe(hostEndpointName('n', 'eth-0'));
  });
});
