/**
 * One fixture cluster per install flavour × encapsulation (test/fixtures/clusters/env-*.yaml),
 * each compiled clean, with its ACCESS.md as a snapshot for review and the environment's
 * verdicts pinned by focused assertions.
 */
import { ACCESS_REPORT_FILE } from '../../lib/verify/report';
import { compileOk } from '../support/compile';

const FLAVOURS = ['operator', 'manifests'] as const;
const ENCAPSULATIONS = ['ipip', 'vxlan', 'none'] as const;
const CASES = FLAVOURS.flatMap((install) => ENCAPSULATIONS.map((encapsulation) => [install, encapsulation] as const));

describe.each(CASES)('environment fixture %s × %s', (install, encapsulation) => {
  const r = compileOk(`test/fixtures/clusters/env-${install}-${encapsulation}.yaml`);

  it('can compile without an error and write its ACCESS.md', () => {
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.files.find((f) => f.path === ACCESS_REPORT_FILE)?.content).toMatchSnapshot();
  });

  it('can keep the API server reaching its stacked etcd over loopback', () => {
    const cell = r.access?.servers.find((s) => s.server.id === 'etcd')?.cells.find((c) => c.client === 'allowed-host');
    const lo = cell?.probes.filter((p) => p.source.kind === 'host' && p.source.interface === 'lo') ?? [];
    expect(lo.length).toBeGreaterThan(0);
    for (const p of lo) expect(p.decidedBy).toMatchObject({ kind: 'policy', policy: { name: 'protected-etcd-server-loopback' } });
  });

  it('can let the control plane reach webhook pods on other nodes', () => {
    const paths = r.access?.essentials.filter((e) => e.path.id === 'control-plane-to-pods') ?? [];
    expect(paths.map((e) => e.status)).toEqual(['allowed', 'allowed', 'allowed', 'allowed']);
    // With a tunnel the control plane sends from its tunnel address; the pod sees that, not 10.0.0.11.
    const rewrites = paths.flatMap((e) => e.probes.flatMap((p) => p.rewrites.map((w) => w.kind)));
    expect(new Set(rewrites)).toEqual(new Set(encapsulation === 'none' ? [] : ['tunnel']));
  });

  it('can keep unlabelled pods away from etcd, and pods keep their own address towards nodes', () => {
    const etcd = r.access?.servers.find((s) => s.server.id === 'etcd');
    const unlabelled = etcd?.cells.find((c) => c.client === 'unlabelled-pod');
    expect(unlabelled?.status).toBe('denied');
    expect(unlabelled?.probes.flatMap((p) => p.rewrites)).toEqual([]);
  });

  it(`can ${encapsulation === 'none' ? 'leave' : 'accept'} the overlay between nodes ${encapsulation === 'none' ? 'to policy' : 'before any policy (felix/rules/static.go)'}`, () => {
    if (encapsulation === 'vxlan') {
      const vxlan = r.access?.essentials.filter((e) => e.path.id === 'vxlan') ?? [];
      expect(vxlan.length).toBe(2);
      for (const e of vxlan) {
        expect(e.probes.length).toBeGreaterThan(0);
        for (const p of e.probes) expect(p.decidedBy.kind).toBe('felix-accept');
      }
    } else {
      // IP-in-IP has no port and is not probed; BGP is policy's.
      const bgp = r.access?.essentials.filter((e) => e.path.id === 'bgp') ?? [];
      expect(bgp).toHaveLength(2);
      for (const e of bgp) expect(e.status).not.toBe('denied');
    }
  });

  it(`can ${install === 'operator' ? 'leave kube-controllers to the operator' : 'protect kube-controllers itself'}`, () => {
    expect(r.objects.some((o) => o.metadata.name === 'restrict-kube-controllers-prometheus')).toBe(install === 'manifests');
    if (install === 'manifests') expect(r.objects.find((o) => o.metadata.name === 'restrict-kube-controllers-prometheus')?.metadata.namespace).toBe('kube-system');
  });
});
