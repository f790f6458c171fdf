/**
 * Regression: aliases are resolved through an index of the anchors (yaml's Alias.resolve walks
 * the whole document per alias), and their expansion is bounded (the file's own nodes plus
 * 100,000), reported at the alias, so a few kilobytes never become megabytes of policy.
 */
import { compileCluster } from '../../lib/pipeline';
import { hasErrors } from '../../lib/spec/errors';
import { clusterInput } from '../fuzz/invariants';

const HEAD = `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
  nodes:
    - name: node-1
      interfaces: [{name: eth0}]
`;

/** One allowed-client workload of `labels` labels, listed `copies` times through an alias. */
function fanOut(labels: number, copies: number): string {
  const first = `          - &w {namespace: ns, labels: {${Array.from({ length: labels }, (_, i) => `l${i}: v`).join(', ')}}}\n`;
  return `${HEAD}  protectedServers:
    - name: etcd
      port: 2379
      runsOn: {nodes: [node-1]}
      allowedClients:
        workloads:
${first}${'          - *w\n'.repeat(copies - 1)}`;
}

function compiled(text: string): { readonly result: ReturnType<typeof compileCluster> } {
  return { result: compileCluster(clusterInput('aliases', text)) };
}

describe('aliases', () => {
  it('can resolve 2,000 aliases', () => {
    const labels = Array.from({ length: 2000 }, (_, i) => (i === 0 ? '        k0: &v calico' : `        k${i}: *v`)).join('\n');
    const { result } = compiled(`${HEAD}  metrics:\n    kubeControllers:\n      podLabels:\n${labels}\n`);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('fails with too-large when aliases expand past the budget', () => {
    const { result } = compiled(fanOut(1000, 1200));
    expect(result.findings.map((f) => f.code)).toContain('too-large');
  });

  it('points too-large at an alias, not inside the anchored definition', () => {
    const text = fanOut(1000, 1200);
    const f = compiled(text).result.findings.find((x) => x.code === 'too-large');
    const line = text.split('\n')[(f?.line ?? 1) - 1] ?? '';
    expect(line.slice((f?.col ?? 1) - 1)).toMatch(/^\*w/);
  });

  it('does not turn a 15 kB spec into a 6 MB policy', () => {
    const text = fanOut(1000, 400);
    expect(text.length).toBeLessThan(16_000);
    const { result } = compiled(text);
    const largest = Math.max(0, ...(result.files ?? []).map((f) => f.content.length));
    expect({ rejected: hasErrors(result.findings), largestFileUnder1MiB: largest < 1024 * 1024 }).not.toEqual({ rejected: false, largestFileUnder1MiB: false });
  });
});
