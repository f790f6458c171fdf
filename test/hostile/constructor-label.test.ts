/**
 * Found by review: a label `constructor`, valid in Kubernetes and Calico, on a label map that
 * calico-shield writes onto an object. cdk8s reads a mapping's `constructor` key as its
 * JavaScript class (cdk8s 2.70.106 lib/resolve.js:86 and 120, lib/_util.js:17): alone it made
 * the compile throw, and beside a `value` label it silently dropped every other label,
 * `running-calico` included. The spec reader refuses it, with its position, and the binary
 * says so without a stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileCluster } from '../../lib/pipeline';
import { hasStackTrace, runBinary } from '../support/binary';
import { removeWorkspaces, workspace } from '../support/cli';
import { withTestEnvironment } from '../support/environment';
import { clusterInput } from '../fuzz/invariants';

afterAll(removeWorkspaces);

const spec = (nodeLabels: string, accessLabel = 'calico-prometheus-access'): string => `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
  nodes:
    - name: node-1
      labels: {${nodeLabels}}
      interfaces: [{name: "*", expectedIPs: [10.0.0.1]}]
  metrics:
    accessLabel: ${accessLabel}
    allowedNets: [192.0.2.0/24]
    calicoNode: {}
`;

describe('a label "constructor"', () => {
  it.each(['constructor: acme', 'constructor: acme, value: x, zone: a'])('is refused on a node ({%s}), where its host endpoints would carry it', (labels) => {
    const result = compileCluster(clusterInput('c', spec(labels)));
    expect(result.files).toBeUndefined();
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([
      expect.objectContaining({ code: 'reserved-label', field: 'spec.nodes[0].labels.constructor', line: 7, col: 29 }),
    ]);
  });

  it('is accepted on a node in auto mode, where the node labels are written nowhere (found by review)', () => {
    const auto = spec('constructor: acme').replace('  approach: deny-list\n', '  approach: deny-list\n  hostEndpoints: {mode: auto}\n');
    const result = compileCluster(clusterInput('c', auto));
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.files?.length).toBeGreaterThan(0);
  });

  it('is refused as metrics.accessLabel, which a GlobalNetworkSet would carry', () => {
    const result = compileCluster(clusterInput('c', spec('zone: a', 'constructor')));
    expect(result.files).toBeUndefined();
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([expect.objectContaining({ code: 'bad-label-key', field: 'spec.metrics.accessLabel', line: 10, col: 18 })]);
  });

  it('stops the real binary with the finding, no stack trace, nothing written', () => {
    const dir = workspace([], { files: { 'clusters/c.yaml': withTestEnvironment(spec('constructor: acme')) } });
    const r = runBinary(dir, ['synth']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error[reserved-label] spec.nodes[0].labels.constructor: label "constructor" may not be given here: cdk8s');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'dist', 'c'))).toBe(false);
  });
});
