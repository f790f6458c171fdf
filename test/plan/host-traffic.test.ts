/**
 * spec.hostTraffic → the presets' policies: which hosts each selects, which rules it holds,
 * which protected ports it leaves out; the spec's checks; and docs/presets.md and the JSON
 * Schema kept equal to the catalogue of lib/calico/presets.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOST_PATHS, PRESET_IDS, PRESETS, type HostPath } from '../../lib/calico/presets';
import { printSelector } from '../../lib/calico/selector';
import type { HostRuleEntity, HostRulePlan } from '../../lib/plan/host-traffic';
import { planCluster, type ProtectionPlan } from '../../lib/plan/plan';
import { parseClusterSpec } from '../../lib/spec/parse';
import { ROOT } from '../support/compile';

const NODES = `  nodes:
    - name: cp-1
      labels: {node-role.kubernetes.io/control-plane: ""}
      interfaces: [{name: "*", expectedIPs: [10.0.0.1]}]
    - name: worker-1
      interfaces: [{name: "*", expectedIPs: [10.0.0.2]}]
`;

const text = (body: string, approach = 'allow-list'): string => `apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: ${approach}\n${NODES}${body}`;

function parse(body: string, approach?: string) {
  return parseClusterSpec('clusters/t.yaml', 't', Buffer.from(text(body, approach)));
}

function plan(body: string): ProtectionPlan {
  const r = parse(body);
  if (!r.spec) throw new Error(r.findings.map((f) => `${f.line}:${f.col} ${f.code} ${f.message}`).join('\n'));
  return planCluster(r.spec);
}

const entity = (e: HostRuleEntity): string => [e.selector ? printSelector(e.selector) : '', e.nets ? `nets ${e.nets.join(',')}` : ''].filter(Boolean).join(' ') || 'any';
const rule = (r: HostRulePlan): string => `${r.protocol} ${entity(r.source)} -> ${entity(r.destination)}${r.ports.length > 0 ? ` ports ${r.ports.map((p) => (p.first === p.last ? p.first : `${p.first}:${p.last}`)).join(',')}` : ''}`;

const HOSTS = 'running-calico == "true"';
const CP = 'running-calico == "true" && node-role.kubernetes.io/control-plane == ""';

describe('planHostTraffic', () => {
  it.each<[string, string, string[], string[]]>([
    ['api-server', HOSTS, [`TCP ${HOSTS} || has(projectcalico.org/namespace) -> ${CP} ports 6443`], ['TCP any -> any ports 6443']],
    ['kubelet', HOSTS, [`TCP ${HOSTS} || has(projectcalico.org/namespace) -> any ports 10250`], [`TCP ${CP} -> ${HOSTS} ports 10250`]],
    ['etcd', CP, [`TCP ${CP} -> any ports 2379:2380`], [`TCP any -> ${CP} ports 2379:2380`]],
    ['dns', HOSTS, [], ['UDP any -> any ports 53', 'TCP any -> any ports 53']],
    ['calico-health', HOSTS, ['TCP nets 127.0.0.0/8 -> any ports 9098,9099', 'TCP nets ::1/128 -> any ports 9098,9099'], ['TCP any -> nets 127.0.0.0/8 ports 9098,9099', 'TCP any -> nets ::1/128 ports 9098,9099']],
    ['bgp', HOSTS, [`TCP ${HOSTS} -> any ports 179`], [`TCP any -> ${HOSTS} ports 179`]],
    ['ipip', HOSTS, [`IPIP ${HOSTS} -> any`], [`IPIP any -> ${HOSTS}`]],
    ['vxlan', HOSTS, [`UDP ${HOSTS} -> any ports 4789`], [`UDP any -> ${HOSTS} ports 4789`]],
    ['wireguard', HOSTS, [`UDP ${HOSTS} -> any ports 51820,51821`], [`UDP any -> ${HOSTS} ports 51820,51821`]],
    ['typha', HOSTS, [`TCP ${HOSTS} -> any ports 5473`], [`TCP any -> ${HOSTS} ports 5473`]],
    ['node-ports', HOSTS, ['TCP any -> any ports 30000:32767', 'UDP any -> any ports 30000:32767'], []],
    ['webhooks', CP, [], ['TCP any -> has(projectcalico.org/namespace) ports 1:65535']],
    ['kube-proxy', HOSTS, ['TCP any -> any ports 10256'], []],
  ])('can write preset %s as allow-<preset> for the hosts of its roles', (preset, selector, ingress, egress) => {
    const [policy] = plan(`  hostTraffic: {presets: [${preset}]}\n`).hostTraffic?.policies ?? [];
    expect(policy?.name).toBe(`allow-${preset}`);
    expect(policy?.order).toBe(1000);
    expect(printSelector(policy?.selector ?? { kind: 'all' })).toBe(selector);
    expect(policy?.ingress.map(rule)).toEqual(ingress);
    expect(policy?.egress.map(rule)).toEqual(egress);
  });

  it('can allow the API server on the port of spec.environment.apiServer (443 on managed control planes)', () => {
    const onNodes = plan('  environment: {apiServer: {port: 443}}\n  hostTraffic: {presets: [api-server]}\n').hostTraffic?.policies[0];
    expect(onNodes?.ingress.map(rule)).toEqual([`TCP ${HOSTS} || has(projectcalico.org/namespace) -> ${CP} ports 443`]);
    expect(onNodes?.egress.map(rule)).toEqual(['TCP any -> any ports 443']);
    // A managed control plane: the endpoint is outside the nodes, so the path is outbound only.
    const managed = plan('  environment: {apiServer: {port: 443, address: 198.51.100.7}}\n  hostTraffic: {presets: [api-server]}\n').hostTraffic?.policies[0];
    expect(managed?.ingress).toEqual([]);
    expect(managed?.egress.map(rule)).toEqual(['TCP any -> any ports 443']);
  });

  it.each<[string, string, string[], string]>([
    ['etcd, whose client port is protected', '  protectedServers: [{name: etcd, port: 2379, runsOn: {nodes: [cp-1]}, allowedClients: {nodes: [cp-1]}}]\n  hostTraffic: {presets: [etcd]}\n', [`TCP ${CP} -> any ports 2380`], 'TCP 2379 etcd'],
    ['loopback, around the metrics ports', '  metrics: {calicoNode: {}, typha: {}}\n  hostTraffic: {presets: [loopback]}\n', ['TCP nets 127.0.0.0/8 -> any ports 1:9090,9092,9094:65535', 'TCP nets ::1/128 -> any ports 1:9090,9092,9094:65535', 'UDP nets 127.0.0.0/8 -> any ports 1:65535', 'UDP nets ::1/128 -> any ports 1:65535'], 'TCP 9091 calico-node-metrics, TCP 9093 typha-metrics'],
    ['loopback, around a UDP server only for UDP', '  protectedServers: [{name: syslog, protocol: UDP, port: 514, runsOn: {nodes: [cp-1]}}]\n  hostTraffic: {presets: [loopback]}\n', ['TCP nets 127.0.0.0/8 -> any ports 1:65535', 'TCP nets ::1/128 -> any ports 1:65535', 'UDP nets 127.0.0.0/8 -> any ports 1:513,515:65535', 'UDP nets ::1/128 -> any ports 1:513,515:65535'], 'UDP 514 syslog'],
  ])('can leave the ports of protected servers out of preset %s, and say which', (_what, body, ingress, excluded) => {
    const [policy] = plan(body).hostTraffic?.policies ?? [];
    expect(policy?.ingress.map(rule)).toEqual(ingress);
    expect(policy?.excluded.map((e) => `${e.protocol} ${e.port} ${e.server}`).join(', ')).toBe(excluded);
  });

  it('fails to write a preset whose every port a protected server takes', () => {
    const p = plan('  protectedServers: [{name: api, port: 10250, runsOn: {nodes: [cp-1, worker-1]}}]\n  hostTraffic: {presets: [kubelet, dns]}\n');
    expect(p.hostTraffic?.policies.map((x) => x.name)).toEqual(['allow-dns']);
  });

  it('can select the automatic host endpoints and the control plane by label in auto mode', () => {
    const r = parseClusterSpec(
      'clusters/t.yaml',
      't',
      Buffer.from(
        'apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: allow-list\n  hostEndpoints: {mode: auto}\n  hostTraffic:\n    presets: [etcd]\n    controlPlane: {nodeSelector: {role: master}}\n',
      ),
    );
    if (!r.spec) throw new Error(r.findings.map((f) => f.message).join('\n'));
    expect(printSelector(planCluster(r.spec).hostTraffic?.policies[0]?.selector ?? { kind: 'all' })).toBe('projectcalico.org/created-by == "calico-kube-controllers" && role == "master"');
  });

  it('can expand presets: all into every preset, in the catalogue order', () => {
    expect(plan('  hostTraffic: {presets: all}\n').hostTraffic?.presets).toEqual([...PRESET_IDS]);
  });
});

describe('spec.hostTraffic checks', () => {
  it.each<[string, string, string, string, number, string]>([
    ['an unknown preset, with a did-you-mean', '  hostTraffic: {presets: [kublet]}\n', 'unknown-preset', 'spec.hostTraffic.presets[0]', 27, 'did you mean "kubelet"?'],
    ['a preset listed twice', '  hostTraffic: {presets: [dns, dns]}\n', 'duplicate-preset', 'spec.hostTraffic.presets[1]', 32, 'remove the duplicate'],
    ['presets that are neither a list nor all', '  hostTraffic: {presets: every}\n', 'bad-presets', 'spec.hostTraffic.presets', 26, 'write all, or a list of presets: api-server, kubelet, etcd, dns, calico-health, loopback, bgp, ipip, vxlan, wireguard, typha, node-ports, webhooks, kube-proxy'],
    ['control-plane presets without a control-plane node', '  hostTraffic: {presets: [kubelet], controlPlane: {nodeSelector: {role: master}}}\n', 'no-matching-node', 'spec.hostTraffic.controlPlane', 51, 'label the control-plane nodes in spec.nodes[].labels (kubeadm labels them node-role.kubernetes.io/control-plane: ""), or set spec.hostTraffic.controlPlane.nodeSelector'],
    ['an empty control-plane selector', '  hostTraffic: {presets: [dns], controlPlane: {nodeSelector: {}}}\n', 'empty-selector', 'spec.hostTraffic.controlPlane.nodeSelector', 62, 'give the labels of the nodes, e.g. {node-role.kubernetes.io/control-plane: ""}'],
  ])('fails %s', (_what, body, code, field, col, hint) => {
    const r = parse(body);
    expect(r.spec).toBeUndefined();
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'error', code, field, line: 11, col, hint })]);
  });

  it('can name the presets that would allow nothing without a control-plane node', () => {
    const [f] = parse('  hostTraffic: {presets: [api-server, kubelet, dns], controlPlane: {nodeSelector: {role: master}}}\n').findings;
    expect(f?.message).toBe('no node of spec.nodes has the control plane\'s labels {role: "master"}: the presets api-server, kubelet would allow nothing to or from it');
  });

  it('fails presets in the deny-list approach, where default-host allows every host path already', () => {
    const r = parse('  hostTraffic: {presets: [dns]}\n', 'deny-list');
    expect(r.findings).toEqual([expect.objectContaining({ code: 'host-traffic-deny-list', field: 'spec.hostTraffic', line: 11, col: 16, hint: 'remove spec.hostTraffic, or use approach: allow-list' })]);
  });
});

describe('the preset catalogue', () => {
  it('can give every host path a known preset, a source and a direction', () => {
    for (const p of HOST_PATHS) {
      expect([p.id, PRESET_IDS.includes(p.preset), /^https:\/\//.test(p.source), p.inbound !== undefined || p.outbound !== undefined || p.local !== undefined]).toEqual([p.id, true, true, true]);
    }
    expect(new Set(HOST_PATHS.map((p) => p.id)).size).toBe(HOST_PATHS.length);
    expect(PRESETS.map((p) => p.id)).toEqual([...PRESET_IDS]);
  });

  it('can list the same presets in the JSON Schema', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/cluster.v1alpha1.schema.json'), 'utf8')) as {
      properties: { spec: { properties: { hostTraffic: { properties: { presets: { oneOf: [unknown, { items: { enum: string[] } }] } } } } } };
    };
    expect(schema.properties.spec.properties.hostTraffic.properties.presets.oneOf[1].items.enum).toEqual([...PRESET_IDS]);
  });

  it('can show the catalogue in docs/presets.md as it is in lib/calico/presets.ts', () => {
    const file = path.join(ROOT, 'docs/presets.md');
    const doc = fs.readFileSync(file, 'utf8');
    // UPDATE_PRESETS_DOC=1 rewrites the block from the catalogue.
    if (process.env.UPDATE_PRESETS_DOC) fs.writeFileSync(file, doc.replace(/(<!-- presets:begin[^>]*-->\n)[\s\S]*?(<!-- presets:end -->)/, (_m, a: string, b: string) => `${a}${presetTable()}${b}`));
    const block = /<!-- presets:begin[^>]*-->\n([\s\S]*?)<!-- presets:end -->/.exec(fs.readFileSync(file, 'utf8'))?.[1];
    expect(block).toBe(presetTable());
  });
});

const ROLE: Readonly<Record<string, string>> = { nodes: 'every node', 'control-plane': 'the control plane', 'nodes-and-pods': 'nodes and pods', pods: 'pods', anywhere: 'anywhere' };

/** What docs/presets.md shows between its markers: one table per preset. */
function presetTable(): string {
  const ports = (p: HostPath): string => (p.protocol === 'IPIP' ? 'IP protocol 4' : `${p.protocol} ${p.port}${p.endPort !== undefined ? `–${p.endPort}` : ''}`);
  const legs = (p: HostPath): string =>
    [
      p.inbound && `inbound to ${ROLE[p.inbound.on]} from ${ROLE[p.inbound.from]}`,
      p.outbound && `outbound from ${ROLE[p.outbound.on]} to ${ROLE[p.outbound.to]}`,
      p.local && `local, on ${ROLE[p.local]} (loopback)`,
    ]
      .filter(Boolean)
      .join('; ');
  return PRESETS.map((preset) =>
    [
      `### \`${preset.id}\` — ${preset.title}`,
      '',
      `Needed: **${preset.needed}** — ${preset.when}.`,
      '',
      '| Path | Port | Direction and peers | Used by | Source |',
      '| --- | --- | --- | --- | --- |',
      ...HOST_PATHS.filter((p) => p.preset === preset.id).map((p) => `| ${p.name} | ${ports(p)} | ${legs(p)} | ${p.usedBy} | <${p.source}> |`),
      '',
    ].join('\n'),
  ).join('\n');
}
