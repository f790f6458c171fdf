/**
 * A deny-list cluster spec of `nodes` nodes, each with two interfaces (eth0 10.1.x.y, eth1
 * 10.2.x.y, so 2 × nodes host endpoints), protecting calico-node's metrics: the size tests'
 * spec. Without an environment (workspace() and withTestEnvironment add one).
 */
export function twoInterfaceSpec(nodes: number, options: { readonly extra?: readonly string[]; readonly prefix?: string } = {}): string {
  const prefix = options.prefix ?? 'node-';
  return [
    'apiVersion: calico-shield/v1alpha1',
    'kind: Cluster',
    'spec:',
    '  approach: deny-list',
    ...(options.extra ?? []),
    '  metrics: {allowedNets: [172.15.0.0/24], calicoNode: {}}',
    '  nodes:',
    ...Array.from({ length: nodes }, (_, i) => `    - {name: ${prefix}${i}, interfaces: [{name: eth0, expectedIPs: [10.1.${i >> 8}.${i & 255}]}, {name: eth1, expectedIPs: [10.2.${i >> 8}.${i & 255}]}]}`),
    '',
  ].join('\n');
}
