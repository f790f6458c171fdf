/**
 * Regression: one mistake, one clear message — a label value of the wrong type is not also an
 * empty selector, tagged values are not "a string", an alias without anchor is named, and
 * collections nested too deeply are refused before yaml's parser overflows its stack.
 */
import { compileCluster } from '../../lib/pipeline';
import { clusterInput } from '../fuzz/invariants';

const spec = (extra: string, labels = '{app: etcd}'): string => `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
  nodes:
    - name: node-1
      interfaces: [{name: eth0}]
  protectedServers:
    - name: etcd
      port: 2379
      runsOn: {nodes: [node-1]}
      allowedClients:
        workloads: [{labels: ${labels}}]
${extra}`;

const errors = (text: string) => compileCluster(clusterInput('messages', text)).findings.filter((f) => f.severity === 'error');

describe('one mistake, one clear message', () => {
  it.each(['true', '3', '~'])('reports a label value %s once, as the wrong type', (value) => {
    expect(errors(spec('', `{app: ${value}}`)).map((f) => f.code)).toEqual(['wrong-type']);
  });

  it.each(['!!timestamp 2001-12-14', '!!binary aGk='])('does not call %s a string', (value) => {
    const f = errors(spec('').replace('name: node-1', `name: ${value}`))[0];
    expect(f?.code).toBe('wrong-type');
    expect(f?.message).not.toMatch(/found a string/);
  });

  it('names an alias whose anchor does not exist', () => {
    const f = errors(spec('  metrics: *nope\n'))[0];
    expect(f?.line).toBe(14);
    expect(f?.message).toMatch(/nope/);
  });

  it('explains collections nested too deeply in its own words', () => {
    const f = errors(spec('  failsafe: {inbound: [{net: ' + '['.repeat(5000) + ']'.repeat(5000) + '}]}\n'))[0];
    expect(f?.line).toBe(14);
    expect(f?.message).not.toMatch(/call stack/i);
    expect(f?.message).toMatch(/nest/i);
  });
});
