/**
 * The host traffic presets on the emitted objects: clusters/allow-list-essentials.yaml passes
 * every guard rail; each path of a named preset is allowed by its own allow-<preset> policy
 * (failsafe ports taken away, so they cannot hide a missing rule); no preset widens a protected
 * port (exposed-port stays green, and fires when the exclusion is undone); a preset taken out
 * comes back as a host-traffic-cut warning naming the path and its roles.
 */
import type { CalicoObject } from '../../lib/calico/object';
import { verifyCluster } from '../../lib/verify/guard-rails';
import { compileOk, compileText } from '../support/compile';
import { readSpec } from '../support/paths';

const FILE = 'clusters/allow-list-essentials.yaml';
const TEXT = readSpec(FILE);
const PRESETS = '[api-server, kubelet, etcd, dns, calico-health, loopback, vxlan, typha, webhooks]';

/** The example with other presets. */
const withPresets = (presets: string) => compileText(TEXT.replace(`presets: ${PRESETS}`, `presets: ${presets}`), 'allow-list-essentials');

const noFailsafe: CalicoObject = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'FelixConfiguration',
  metadata: { name: 'default' },
  spec: { failsafeInboundHostPorts: [], failsafeOutboundHostPorts: [] },
};

describe(FILE, () => {
  const r = compileOk(FILE);

  it('can pass every guard rail without a host-traffic-cut warning', () => {
    expect(TEXT).toContain(`presets: ${PRESETS}`);
    expect(r.findings).toEqual([]);
    expect(r.warnings?.map((f) => f.code)).toEqual(['pod-to-own-host']);
  });

  it("can allow every probed path of its presets by the preset's own policy, failsafe ports aside", () => {
    if (!r.plan) throw new Error('no plan');
    const { access, findings } = verifyCluster(r.plan, [...r.objects.filter((o) => o.kind !== 'FelixConfiguration'), noFailsafe]);
    const named = access.essentials.filter((e) => r.plan?.hostTraffic?.presets.includes(e.path.preset));
    expect(named.length).toBeGreaterThan(15);
    for (const e of named) {
      const by = new Set(e.probes.map((p) => (p.decidedBy.kind === 'policy' ? p.decidedBy.policy.name : p.decidedBy.kind)));
      // Its environment has a VXLAN pool: Felix accepts VXLAN between Calico hosts before any policy.
      // Control plane to pods: allow-webhooks lets it out; the pod's own ingress (its namespace's profile) polices last.
      const decider = e.path.preset === 'vxlan' ? 'felix-accept' : e.path.preset === 'webhooks' ? 'profile' : `allow-${e.path.preset}`;
      expect([e.path.id, e.direction, e.port, e.status, [...by]]).toEqual([e.path.id, e.direction, e.port, 'allowed', [decider]]);
    }
    expect(findings.filter((f) => f.code === 'exposed-port')).toEqual([]);
  });

  it('can keep etcd 2379 reachable from the control plane, the backup pods and loopback only', () => {
    const etcd = r.access?.servers.find((s) => s.server.id === 'etcd');
    expect(etcd?.cells.map((c) => [c.client, c.status])).toEqual([
      ['allowed-workload', 'allowed'],
      ['unlabelled-pod', 'denied'],
      ['allowed-network', 'allowed'],
      ['allowed-host', 'allowed'],
      ['other-host', 'denied'],
      ['external', 'denied'],
      ['pod-same-node', 'allowed'],
    ]);
  });
});

describe('no preset widens a protected port', () => {
  it.each(['[etcd]', '[loopback]', 'all'])('can protect etcd 2379 and the metrics ports with presets %s (exposed-port stays green)', (presets) => {
    const r = withPresets(presets);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.access?.servers.map((s) => [s.server.id, s.cells.filter((c) => ['unlabelled-pod', 'other-host', 'external'].includes(c.client)).map((c) => c.status)])).toEqual([
      ['etcd', ['denied', 'denied', 'denied']],
      ['calico-node-metrics', ['denied', 'denied', 'denied']],
      ['typha-metrics', ['denied', 'denied', 'denied']],
    ]);
  });

  it('fails with exposed-port when allow-etcd covers 2379 after all', () => {
    const r = compileOk(FILE);
    if (!r.plan) throw new Error('no plan');
    const widened = r.objects.map((o) => {
      if (o.metadata.name !== 'allow-etcd') return o;
      const ingress = (o.spec?.['ingress'] as Record<string, unknown>[]).map((rule) => ({ ...rule, source: {}, destination: { ports: ['2379:2380'] } }));
      return { ...o, spec: { ...o.spec, ingress } };
    });
    const exposed = verifyCluster(r.plan, widened).findings.filter((f) => f.code === 'exposed-port');
    expect(exposed.map((f) => [f.field, f.message.match(/^TCP 2379 \(etcd\) is reachable from the class "(.*?)"/)?.[1]]).sort()).toEqual([
      ['spec.protectedServers[0]', 'External address'],
      ['spec.protectedServers[0]', 'Other host'],
      ['spec.protectedServers[0]', 'Unlabelled pod'],
    ]);
  });
});

describe('host-traffic-cut with presets', () => {
  it('can report kubelet 10250 from nodes and pods as cut once the kubelet preset is taken out', () => {
    const r = withPresets('[api-server, etcd, dns, calico-health, loopback, vxlan, typha, webhooks]');
    expect(r.findings).toEqual([]);
    const cut = r.warnings?.filter((f) => f.code === 'host-traffic-cut') ?? [];
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatchObject({ severity: 'warning', field: 'spec.hostTraffic.presets', line: 58, col: 14 });
    expect(cut[0]?.message).toContain('10250');
    expect(cut[0]?.message).toContain('the control plane');
    expect(cut[0]?.message).toBe(
      "allow-list: no policy allows these host paths of a node, so the host endpoints' default deny cuts inbound kubelet API 10250/TCP to every node from nodes and pods; outbound kubelet API 10250/TCP from the control plane to every node",
    );
    expect(cut[0]?.hint).toMatch(/^add kubelet to spec\.hostTraffic\.presets/);
  });

  it.each<[string, string]>([
    ['api-server', "they are open only through Felix's failsafe ports: inbound Kubernetes API server 6443/TCP to the control plane from nodes and pods; outbound Kubernetes API server 6443/TCP from every node to anywhere"],
    ['dns', 'DNS over TCP 53/TCP from every node to anywhere'],
  ])('can name the paths of the always-needed preset %s when it is left out', (left, text) => {
    const r = withPresets(PRESETS.replace(`${left}, `, ''));
    const message = r.warnings?.find((f) => f.code === 'host-traffic-cut')?.message ?? '';
    expect(message).toContain(text);
  });

  it('fails to warn about the paths of presets that depend on the installation when they are left out', () => {
    const r = withPresets('[api-server, kubelet, etcd, dns, calico-health, loopback, webhooks]');
    expect(r.warnings?.map((f) => f.code)).toEqual(['pod-to-own-host']);
    const typha = r.access?.essentials.find((e) => e.path.id === 'typha' && e.direction === 'inbound')?.probes.map((p) => p.decidedBy.kind);
    expect(typha).toEqual(['failsafe', 'failsafe', 'failsafe', 'failsafe']);
  });

  it('can keep VXLAN between the nodes without the vxlan preset: Felix accepts it before host endpoint policy (felix/rules/static.go:273-315)', () => {
    const r = withPresets('[api-server, kubelet, etcd, dns, calico-health, loopback, typha, webhooks]');
    const vxlan = r.access?.essentials.filter((e) => e.path.id === 'vxlan') ?? [];
    expect(vxlan.map((e) => [e.direction, e.status])).toEqual([
      ['inbound', 'allowed'],
      ['outbound', 'allowed'],
    ]);
    for (const e of vxlan) for (const p of e.probes) expect(p.decidedBy).toMatchObject({ kind: 'felix-accept', reason: expect.stringContaining('VXLAN') });
    // And the warning does not claim the path is cut.
    expect(r.warnings?.some((f) => f.code === 'host-traffic-cut' && f.message.includes('4789'))).toBe(false);
  });
});
