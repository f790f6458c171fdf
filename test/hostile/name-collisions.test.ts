/**
 * Regression: two interfaces whose HostEndpoint names coincide give a positioned
 * name-collision finding, not an exception from inside cdk8s.
 */
import { compileCluster } from '../../lib/pipeline';
import { hasErrors } from '../../lib/spec/errors';
import { clusterInput } from '../fuzz/invariants';

const spec = (interfaces: string): string => `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
  nodes:
    - name: node-1
      interfaces: ${interfaces}
`;

describe('host endpoint names that collide', () => {
  it.each([
    ['"*" and "all-interfaces"', '[{name: "*"}, {name: all-interfaces}]'],
    ['"Eth0" and "eth0-93c21662" (the hash of "Eth0")', '[{name: Eth0}, {name: eth0-93c21662}]'],
  ])('fails on %s with a positioned name-collision finding, not an exception', (_what, interfaces) => {
    const result = compileCluster(clusterInput('collide', spec(interfaces)));
    expect(hasErrors(result.findings)).toBe(true);
    expect(result.files).toBeUndefined();
    expect(result.findings.find((f) => f.code === 'name-collision')).toMatchObject({
      file: 'clusters/collide.yaml',
      line: 7,
      col: expect.any(Number),
      field: expect.stringMatching(/^spec\.nodes\[0\]\.interfaces\[[01]\]$/),
    });
  });
});
