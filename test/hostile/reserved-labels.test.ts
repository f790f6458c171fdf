/**
 * Regression: metrics.accessLabel may not be a label key that calico-shield or Calico writes
 * itself (its managed-by label, running-calico, protected-<s>-server, allowed-<s>-client,
 * projectcalico.org/…): such a key would widen or break who counts as a scraper.
 */
import { compileCluster } from '../../lib/pipeline';
import { clusterInput } from '../fuzz/invariants';

const spec = (accessLabel: string): string => `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
  nodes:
    - name: node-1
      interfaces: [{name: "*", expectedIPs: [10.0.0.1]}]
    - name: node-2
      interfaces: [{name: "*", expectedIPs: [10.0.0.2]}]
  metrics:
    accessLabel: ${accessLabel}
    allowedNets: [192.0.2.0/24]
    calicoNode: {}
  protectedServers:
    - name: etcd
      port: 2379
      runsOn: {nodes: [node-1]}
      allowedClients: {nodes: [node-2], nets: [198.51.100.0/24]}
`;

describe('metrics.accessLabel that calico-shield writes itself', () => {
  it.each(['app.kubernetes.io/managed-by', 'running-calico', 'protected-etcd-server', 'allowed-etcd-client'])('refuses %s at spec.metrics.accessLabel', (label) => {
    const result = compileCluster(clusterInput('reserved', spec(label)));
    expect(result.files).toBeUndefined();
    expect(result.findings.find((f) => f.field === 'spec.metrics.accessLabel')).toMatchObject({ severity: 'error', line: 11, col: 18 });
  });
});
