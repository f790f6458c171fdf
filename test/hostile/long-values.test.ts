/**
 * Regression: a 10 kB value in a spec must never come back as a 10 kB message or hint.
 *
 * Every user value in a message goes through lib/calico/validate.ts quote(), which cuts long
 * values; yaml's own messages, which quote the offending token, are cut too. Found by the
 * fuzzer's invariant "messages and hints at most 1000 characters".
 */
import { compileCluster } from '../../lib/pipeline';
import { clusterInput } from '../fuzz/invariants';

const LONG = 'a'.repeat(10_240);
const DIGITS = '1'.repeat(10_240);
const BASE = `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
  nodes:
    - name: node-1
      interfaces: [{name: eth0}]
`;

describe('long values in messages', () => {
  it.each([
    ['apiVersion', BASE.replace('calico-shield/v1alpha1', LONG)],
    ['kind', BASE.replace('kind: Cluster', `kind: ${LONG}`)],
    ['metadata.name', `${BASE}metadata: {name: ${LONG}}\n`],
    ['calicoVersion', `${BASE}  calicoVersion: ${LONG}\n`],
    ['approach', BASE.replace('deny-list', LONG)],
    ['an unknown field', `${BASE}  ${'k'.repeat(1000)}: 1\n`],
    ['a node reference', `${BASE}  protectedServers: [{name: s, port: 1, runsOn: {nodes: [${LONG}]}}]\n`],
    ['a number where a string belongs', BASE.replace('name: node-1', `name: ${DIGITS}`)],
    ['a hex number where a port belongs', `${BASE}  protectedServers: [{name: s, port: 0x${DIGITS}, runsOn: {nodes: [node-1]}}]\n`],
    ['a quoted number where a port belongs', `${BASE}  protectedServers: [{name: s, port: "${DIGITS}", runsOn: {nodes: [node-1]}}]\n`],
    ['a YAML syntax error on a long token', `  a: 1\nb: ${LONG}\n  c: d\n`],
    ['the node that has an address already', BASE.replace('name: node-1\n      interfaces: [{name: eth0}]', `name: ${LONG}\n      interfaces: [{name: eth0, expectedIPs: [10.0.0.1, 10.0.0.1]}]`)],
  ])('cuts the value in the message and hint about %s', (_what, text) => {
    const result = compileCluster(clusterInput('long', text));
    expect(result.findings.length).toBeGreaterThan(0);
    for (const f of result.findings) {
      expect({ code: f.code, message: f.message.length <= 1000, hint: (f.hint ?? '').length <= 1000 }).toEqual({ code: f.code, message: true, hint: true });
    }
  });
});
