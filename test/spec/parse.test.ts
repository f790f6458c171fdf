import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClusterSpec } from '../../lib/spec/parse';
import { CLUSTERS, removeWorkspaces, runCli, synth, workspace } from '../support/cli';
import { specFile } from '../support/paths';

const parse = (text: string, name = 'test') => parseClusterSpec(`clusters/${name}.yaml`, name, Buffer.from(text));

/** A valid spec; each broken case below changes one thing in it. */
const BASE = `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
  nodes:
    - name: node-a
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1]
    - name: node-b
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.2]
  protectedServers:
    - name: etcd
      port: 2379
      runsOn:
        nodes: [node-a]
`;

const edit = (from: string, to: string): string => {
  if (!BASE.includes(from)) throw new Error(`base has no ${from}`);
  return BASE.replace(from, to);
};

describe('parseClusterSpec', () => {
  it('can parse the base spec into a ClusterSpec', () => {
    const r = parse(BASE);
    expect(r.findings).toEqual([]);
    expect(r.spec?.approach).toBe('deny-list');
    expect(r.spec?.calicoNamespace).toBe('calico-system');
    expect(r.spec?.nodes.map((n) => n.name)).toEqual(['node-a', 'node-b']);
    expect(r.spec?.protectedServers[0]).toMatchObject({ name: 'etcd', protocol: 'TCP', port: 2379, nodes: ['node-a'] });
  });

  it('can sort nodes, interfaces and addresses whatever their order in the file', () => {
    const r = parse(edit('expectedIPs: [10.0.0.1]', 'expectedIPs: ["fd00::1", 10.0.0.9, 10.0.0.1]').replace('- name: node-a', '- name: node-z').replace('nodes: [node-a]', 'nodes: [node-z]'));
    expect(r.spec?.nodes.map((n) => n.name)).toEqual(['node-b', 'node-z']);
    expect(r.spec?.nodes[1].interfaces[0].expectedIPs).toEqual(['10.0.0.1', '10.0.0.9', 'fd00::1']);
  });

  it('can read the embedded example clusters without findings', () => {
    // There are examples: the loop below must not run zero times.
    expect(CLUSTERS.length).toBeGreaterThan(0);
    for (const name of CLUSTERS) {
      const file = `clusters/${name}.yaml`;
      const r = parseClusterSpec(file, name, fs.readFileSync(specFile(file)));
      expect([file, r.findings]).toEqual([file, []]);
      expect(r.spec?.nodes.length).toBeGreaterThan(0);
    }
  });

  // [case, spec text, code, line, col, field, hint fragment]
  const broken: readonly (readonly [string, string, string, number, number, string | undefined, string])[] = [
    ['an unknown field', edit('  approach:', '  approch: deny-list\n  approach:'), 'unknown-field', 4, 3, 'spec.approch', 'did you mean "approach"?'],
    ['port 0', edit('port: 2379', 'port: 0'), 'bad-port', 16, 13, 'spec.protectedServers[0].port', ''],
    ['port 70000', edit('port: 2379', 'port: 70000'), 'bad-port', 16, 13, 'spec.protectedServers[0].port', ''],
    ['a port with a leading zero', edit('port: 2379', 'port: 02379'), 'wrong-type', 16, 13, 'spec.protectedServers[0].port', 'decimal'],
    ['a quoted port', edit('port: 2379', 'port: "2379"'), 'wrong-type', 16, 13, 'spec.protectedServers[0].port', 'remove the quotes'],
    ['a bad IP', edit('[10.0.0.1]', '[10.0.0.300]'), 'bad-ip', 9, 25, 'spec.nodes[0].interfaces[0].expectedIPs[0]', ''],
    ['a duplicate IP', edit('[10.0.0.2]', '[10.0.0.1]'), 'duplicate-ip', 13, 25, 'spec.nodes[1].interfaces[0].expectedIPs[0]', 'remove the duplicate'],
    ['a duplicate node', edit('- name: node-b', '- name: node-a'), 'duplicate-node', 10, 13, 'spec.nodes[1].name', 'merge'],
    ['a protected server on an unknown node', edit('nodes: [node-a]', 'nodes: [node-c]'), 'unknown-node', 18, 17, 'spec.protectedServers[0].runsOn.nodes[0]', 'add it to spec.nodes'],
    ['a missing approach', edit('  approach: deny-list\n', ''), 'missing-field', 4, 3, 'spec', ''],
    ['an unknown approach', edit('approach: deny-list', 'approach: blacklist'), 'bad-approach', 4, 13, 'spec.approach', 'deny-list'],
    ['a wrong apiVersion', edit('calico-shield/v1alpha1', 'v1'), 'unsupported-version', 1, 13, 'apiVersion', 'calico-shield/v1alpha1'],
    ['a bad interface name', edit('- name: eth0\n          expectedIPs: [10.0.0.1]', '- name: "eth0 eth1"\n          expectedIPs: [10.0.0.1]'), 'bad-interface', 8, 17, 'spec.nodes[0].interfaces[0].name', ''],
    ['a bad protocol', edit('port: 2379', 'protocol: tcp\n      port: 2379'), 'bad-protocol', 16, 17, 'spec.protectedServers[0].protocol', 'TCP'],
    ['a duplicate key', edit('  approach: deny-list', '  approach: deny-list\n  approach: allow-list'), 'yaml-duplicate-key', 5, 3, undefined, 'once'],
    ['a CIDR with host bits set', edit('        nodes: [node-a]', '        nodes: [node-a]\n      allowedClients:\n        nets: [10.1.2.3/24]'), 'bad-cidr', 20, 16, 'spec.protectedServers[0].allowedClients.nets[0]', '10.1.2.0/24'],
  ];

  it.each(broken)('fails %s with a positioned finding', (_name, text, code, line, col, field, hint) => {
    const r = parse(text);
    expect(r.spec).toBeUndefined();
    const f = r.findings.find((x) => x.code === code);
    expect(f).toBeDefined();
    expect(f).toMatchObject({ severity: 'error', file: 'clusters/test.yaml', line, col });
    if (field !== undefined) expect(f?.field).toBe(field);
    if (hint) expect(`${f?.message} ${f?.hint ?? ''}`).toContain(hint);
  });

  it('fails a metadata.name that differs from the file name', () => {
    const r = parse(BASE.replace('kind: Cluster\n', 'kind: Cluster\nmetadata:\n  name: other\n'), 'test');
    expect(r.findings[0]).toMatchObject({ code: 'name-mismatch', line: 4, col: 9, field: 'metadata.name' });
    expect(r.findings[0].hint).toContain('clusters/other.yaml');
  });
});

describe('calico-shield synth with an invalid spec', () => {
  afterAll(removeWorkspaces);

  it('fails with file:line:col, the field and a hint, exits non-zero and writes nothing', () => {
    const dir = workspace([], { files: { 'clusters/good.yaml': BASE } });
    synth(dir);
    const before = fs.readFileSync(path.join(dir, 'dist', 'good', '02-host-endpoints', 'hostendpoints.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'clusters', 'good.yaml'), edit('port: 2379', 'port: 70000'));
    fs.writeFileSync(path.join(dir, 'clusters', 'new.yaml'), BASE);
    const { code, stderr: err } = runCli(dir, ['synth']);
    expect(code).toBe(1);
    expect(err).toContain('clusters/good.yaml:16:13: error[bad-port] spec.protectedServers[0].port:');
    expect(err).toContain('hint:');
    expect(err).not.toMatch(/\n\s+at /);
    expect(err).toContain('nothing was written');
    expect(fs.existsSync(path.join(dir, 'dist', 'new'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'dist', 'good', '02-host-endpoints', 'hostendpoints.yaml'), 'utf8')).toBe(before);
  });
});
