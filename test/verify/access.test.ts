/**
 * The access matrix: one cell per protected server and client class, from the compiled
 * objects; equivalence classes that keep a 10,000-node cluster to a handful of probes; the
 * made-up addresses that stay clear of every network the objects name.
 */
import fc from 'fast-check';
import { cidrContains, ipFromBytes, parseCidr, parseIp, type ParsedCidr, type ParsedIp } from '../../lib/calico/net';
import { buildModel } from '../../lib/verify/model';
import { CLIENT_CLASSES, computeAccess, NetIndex, type AccessMatrix, type ClientClass } from '../../lib/verify/access';
import { shortDecision } from '../../lib/verify/describe';
import { fleetCase, fleetSpec } from '../../bench/fleet';
import { compileOk, compileText } from '../support/compile';
import type { CalicoObject } from '../../lib/calico/object';
import { felixConfiguration, gnp } from './objects';

const accessOf = (file: string): AccessMatrix => {
  const r = compileOk(file);
  if (!r.access) throw new Error(`${file} has no access matrix`);
  return r.access;
};

const cell = (access: AccessMatrix, server: string, client: ClientClass) => {
  const s = access.servers.find((x) => x.server.id === server);
  const c = s?.cells.find((x) => x.client === client);
  if (!c) throw new Error(`no cell ${server} × ${client}`);
  return c;
};

/** A deny-list or allow-list cluster of `n` nodes, one interface each, metrics on every node and etcd on the first. */
const fleet = (n: number, approach = 'deny-list'): string =>
  [
    'apiVersion: calico-shield/v1alpha1',
    'kind: Cluster',
    'spec:',
    `  approach: ${approach}`,
    '  nodes:',
    ...Array.from({ length: n }, (_, i) => `    - {name: node-${String(i).padStart(5, '0')}, interfaces: [{name: eth0, expectedIPs: [10.${i >> 16}.${(i >> 8) & 255}.${i & 255}]}]}`),
    '  metrics:',
    '    allowedNets: [172.15.0.0/24]',
    '    calicoNode: {}',
    '  protectedServers:',
    '    - {name: etcd, port: 2379, runsOn: {nodes: [node-00000]}, allowedClients: {nodes: [node-00001], nets: [192.0.2.0/24]}}',
  ].join('\n') + '\n';

describe('the access matrix of clusters/example.yaml (deny-list)', () => {
  const access = accessOf('clusters/example.yaml');

  it('can list the servers in the plan order, each with a cell per client class in column order', () => {
    expect(access.servers.map((s) => s.server.id)).toEqual(['calico-node-metrics', 'kube-controllers-metrics', 'typha-metrics']);
    for (const s of access.servers) expect(s.cells.map((c) => c.client)).toEqual(CLIENT_CLASSES.map((c) => c.id));
  });

  it.each<[string, ClientClass, string, string]>([
    ['calico-node-metrics', 'allowed-workload', 'allowed', '`default-host` rule 0'],
    ['calico-node-metrics', 'unlabelled-pod', 'denied', '`restrict-calico-node-prometheus` rule 0'],
    ['calico-node-metrics', 'allowed-network', 'allowed', '`default-host` rule 0'],
    ['calico-node-metrics', 'other-host', 'denied', '`restrict-calico-node-prometheus` rule 0'],
    ['calico-node-metrics', 'external', 'denied', '`restrict-calico-node-prometheus` rule 0'],
    ['calico-node-metrics', 'pod-same-node', 'allowed', 'DefaultEndpointToHostAction Accept'],
    ['typha-metrics', 'unlabelled-pod', 'denied', '`restrict-typha-prometheus` rule 0'],
    ['kube-controllers-metrics', 'allowed-workload', 'allowed', '`calico-system/restrict-kube-controllers-prometheus` rule 0'],
    ['kube-controllers-metrics', 'allowed-network', 'allowed', '`calico-system/restrict-kube-controllers-prometheus` rule 1'],
    ['kube-controllers-metrics', 'unlabelled-pod', 'denied', '`calico-system/restrict-kube-controllers-prometheus` rule 2'],
    ['kube-controllers-metrics', 'pod-same-node', 'denied', '`calico-system/restrict-kube-controllers-prometheus` rule 2'],
  ])('can decide %s × %s: %s by %s', (server, client, status, decision) => {
    const c = cell(access, server, client);
    expect(c.status).toBe(status);
    expect([...new Set(c.probes.map((p) => shortDecision(p.decidedBy)))]).toEqual([decision]);
  });

  it('can probe an address inside each allowed network', () => {
    expect(cell(access, 'calico-node-metrics', 'allowed-network').probes.map((p) => p.source)).toEqual([
      { kind: 'external', ip: '172.15.0.1' },
      { kind: 'external', ip: '172.101.0.1' },
    ]);
  });

  it('can leave a cell empty with the reason when the class does not exist', () => {
    expect(cell(access, 'calico-node-metrics', 'allowed-host')).toEqual({ client: 'allowed-host', status: 'none', probes: [], note: 'metrics have no host clients' });
  });

  it('can place the allowed pod in another namespace and on another node than the server', () => {
    const [probe] = cell(access, 'kube-controllers-metrics', 'allowed-workload').probes;
    expect(probe?.source).toMatchObject({ kind: 'workload', namespace: 'monitoring', labels: { 'calico-prometheus-access': 'true' }, node: 'kubeadm-master' });
    expect(probe?.destination).toMatchObject({ kind: 'workload', namespace: 'calico-system', node: 'node-without-host-endpoint' });
  });
});

describe('the access matrix of test/fixtures/clusters/allow-list-no-presets.yaml (allow-list, no presets)', () => {
  const access = accessOf('test/fixtures/clusters/allow-list-no-presets.yaml');

  it('can let an allowed host client through its own egress policy and the server (deviation D11)', () => {
    const c = cell(access, 'etcd', 'allowed-host');
    expect(c.status).toBe('allowed');
    expect(c.probes[0]?.source).toEqual({ kind: 'host', node: 'kubeadm-node-0', interface: 'eth0', ip: '10.100.0.16' });
  });

  it("can probe other hosts as the server sees them, without the help of their own egress policy", () => {
    const [probe] = cell(access, 'calico-node-metrics', 'other-host').probes;
    expect(probe?.source).toEqual({ kind: 'external', name: 'node kubeadm-node-0', ip: '10.100.0.16' });
    expect(probe?.stage).toMatchObject({ point: 'host-ingress', endpoint: 'kubeadm-master.eth0' });
    expect(probe?.decidedBy).toMatchObject({ kind: 'end-of-tier-deny', direction: 'Ingress' });
  });

  it('can probe both workload clients of etcd', () => {
    const c = cell(access, 'etcd', 'allowed-workload');
    expect(c.probes.map((p) => (p.source.kind === 'workload' ? [p.source.namespace, p.source.labels] : []))).toEqual([
      ['clients', { 'allowed-etcd-client': 'true' }],
      ['backup', { app: 'etcd-backup' }],
    ]);
    expect(c.status).toBe('allowed');
  });

  it('can tell which usual host paths are cut and which are open only through failsafe ports', () => {
    const status = (id: string, direction: string, port: number) => access.essentials.find((e) => e.path.id === id && e.direction === direction && e.port === port)?.status;
    expect([status('kubelet-api', 'inbound', 10250), status('bgp', 'inbound', 179), status('dns', 'outbound', 53), status('etcd', 'inbound', 2380)]).toEqual(['denied', 'failsafe', 'failsafe', 'failsafe']);
    expect(access.essentials.some((e) => e.port === 2379)).toBe(false);
  });
});

describe('equivalence classes', () => {
  const matrix = (n: number, approach?: string): AccessMatrix => {
    const r = compileText(fleet(n, approach), 'fleet');
    if (!r.access) throw new Error(r.findings.map((f) => f.message).join('\n'));
    return r.access;
  };
  const probes = (a: AccessMatrix): number => a.servers.reduce((n, s) => n + s.cells.reduce((m, c) => m + c.probes.length, 0), 0) + a.essentials.reduce((n, e) => n + e.probes.length, 0);

  it.each(['deny-list', 'allow-list'])('can probe a 2,000-node %s cluster as often as a 20-node one', (approach) => {
    const small = matrix(20, approach);
    const large = matrix(2000, approach);
    expect(probes(large)).toBe(probes(small));
    expect(large.hostClasses.length).toBe(small.hostClasses.length);
  });

  it('can say how many nodes a probe stands for', () => {
    const a = matrix(2000);
    const external = cell(a, 'calico-node-metrics', 'external').probes;
    // The etcd node, the etcd client and the rest carry different labels: three classes.
    expect(a.hostClasses.map((c) => c.members.length).sort((x, y) => x - y)).toEqual([1, 1, 1998]);
    expect(external.reduce((n, p) => n + p.targetNodes, 0)).toBe(2000);
    expect(cell(a, 'calico-node-metrics', 'other-host').probes.reduce((n, p) => n + p.sourceNodes, 0)).toBeGreaterThanOrEqual(1998);
  });

  /**
   * The classes of a 20-node fleet's host endpoints, with objects of the installer's beside the
   * emitted ones, each emitted object changed by `change`, all of them in the order `order` gives.
   */
  const classesWith = (
    installed: readonly CalicoObject[],
    change: (o: CalicoObject) => CalicoObject = (o) => o,
    order: (objects: CalicoObject[]) => CalicoObject[] = (o) => o,
  ): readonly (readonly string[])[] => {
    const r = compileText(fleet(20), 'fleet');
    if (!r.plan || !r.objects || !r.spec) throw new Error(r.findings.map((f) => f.message).join('\n'));
    const model = buildModel(order([...installed, ...r.objects.map(change)]), { failsafeDefaults: r.spec.failsafe, calicoVersion: r.spec.calicoVersion });
    return computeAccess(r.plan, model).hostClasses.map((c) => c.members.map((m) => m.name));
  };

  // Classes are keyed by the model's numbers of label sets, which follow the objects' order,
  // while the classes are built in name order (found by review: compiled objects come in name
  // order, a cluster's dump need not).
  it('gives the same classes whatever the order of the objects', () => {
    const inOrder = classesWith([]);
    const reversed = classesWith([], undefined, (objects) => objects.reverse());
    expect(inOrder.length).toBeGreaterThan(2);
    expect(reversed).toEqual(inOrder);
    // Every class holds host endpoints of one label set.
    const objects = compileText(fleet(20), 'fleet').objects ?? [];
    const labels = new Map(objects.map((o) => [o.metadata.name, JSON.stringify(o.metadata.labels)]));
    for (const members of reversed) expect(new Set(members.map((m) => labels.get(m))).size).toBe(1);
  });

  it("keeps a node whose own FelixConfiguration sets its failsafe ports out of its neighbours' class", () => {
    const plain = classesWith([]);
    const apart = classesWith([felixConfiguration('node.node-00007', { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 22 }] })]);
    expect(apart.length).toBe(plain.length + 1);
    expect(apart).toContainEqual(['node-00007.eth0']);
    // A setting the classes do not depend on leaves them as they are.
    expect(classesWith([felixConfiguration('node.node-00007', { natOutgoingExclusions: 'IPPoolsAndHostIPs' })])).toEqual(plain);
  });

  // A grouping tells classes apart by every selector of a rule that can match the port: of
  // ingress and egress rules, source and destination, selector and notSelector. Each case
  // labels one node so that only that selector knows it: it gets a group, so one more
  // other-host probe of etcd, of its own.
  it.each<[string, Record<string, unknown>]>([
    ['an ingress rule, source selector', { types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: 'marked == "1"' }, destination: { ports: [2379] } }] }],
    ['an ingress rule, source notSelector', { types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { notSelector: 'marked == "1"' }, destination: { ports: [2379] } }] }],
    ['an egress rule, destination selector', { types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { selector: 'marked == "1"', ports: [2379] } }] }],
    ['an egress rule, destination notSelector', { types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { notSelector: 'marked == "1"', ports: [2379] } }] }],
  ])('groups the classes by the selectors of %s', (_, rules) => {
    const otherHostProbes = (mark: boolean): number => {
      const r = compileText(fleet(20), 'fleet');
      if (!r.plan || !r.objects || !r.spec) throw new Error(r.findings.map((f) => f.message).join('\n'));
      const marked = (o: CalicoObject): CalicoObject =>
        mark && o.kind === 'HostEndpoint' && o.metadata.name === 'node-00007.eth0' ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, marked: '1' } } } : o;
      // Selects no host endpoint: its rules matter to the grouping alone.
      const policy = gnp('grouping-probe', { selector: 'nothing == "here"', order: 10, ...rules });
      const model = buildModel([policy, ...r.objects.map(marked)], { failsafeDefaults: r.spec.failsafe, calicoVersion: r.spec.calicoVersion });
      return cell(computeAccess(r.plan, model), 'etcd', 'other-host').probes.length;
    };
    expect(otherHostProbes(true)).toBe(otherHostProbes(false) + 1);
  });

  it('keeps a host endpoint with profiles out of the class of those without', () => {
    const classes = classesWith([], (o) => (o.kind === 'HostEndpoint' && o.metadata.name === 'node-00007.eth0' ? { ...o, spec: { ...o.spec, profiles: ['projectcalico-default-allow'] } } : o));
    expect(classes).toContainEqual(['node-00007.eth0']);
  });

  // A network of 8 bits or more holds only addresses of its own first byte: the index tests an
  // address against those and the shorter ones, and must name the networks a test of every
  // network names, in the same order.
  it('finds the networks that hold an address as testing each network does', () => {
    const v4 = fc.tuple(fc.constantFrom(0, 10, 128, 192, 255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
    const v6 = fc.tuple(fc.constantFrom(0, 0xfd00, 0xfe80, 0xffff), fc.nat(0xffff), fc.nat(0xffff)).map(([a, b, c]) => `${a.toString(16)}:${b.toString(16)}::${c.toString(16)}`);
    const cidr = fc.oneof(fc.tuple(v4, fc.integer({ min: 0, max: 32 })), fc.tuple(v6, fc.integer({ min: 0, max: 128 }))).map(([text, bits]) => {
      const ip = parseIp(text);
      if (!ip.ok) throw new Error(text);
      // The network's address: the bits after the prefix cleared.
      const bytes = ip.ip.bytes.map((b, i) => (i * 8 >= bits ? 0 : i * 8 + 8 <= bits ? b : b & (0xff << (8 - (bits - i * 8)))));
      const parsed = parseCidr(`${ipFromBytes(bytes).text}/${bits}`);
      if (!parsed.ok) throw new Error(parsed.problem.message);
      return parsed.cidr;
    });
    const sameAsEveryNet = (cidrs: readonly ParsedCidr[], ip: ParsedIp): string =>
      cidrs.flatMap((c, i) => (cidrContains(c, ip) ? [i] : [])).join(',');
    fc.assert(
      fc.property(fc.array(cidr, { maxLength: 12 }), fc.array(fc.oneof(v4, v6), { maxLength: 8 }), (cidrs, addresses) => {
        for (const family of [4, 6] as const) {
          const ofFamily = cidrs.filter((c) => c.family === family);
          const index = new NetIndex(ofFamily);
          expect(index.size).toBe(ofFamily.length);
          for (const text of addresses) {
            const ip = parseIp(text);
            if (!ip.ok) throw new Error(text);
            expect(index.indexesOf(ip.ip)).toBe(sameAsEveryNet(ofFamily, ip.ip));
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('can count the target nodes of a host-networked server on named nodes', () => {
    expect(cell(matrix(50), 'etcd', 'external').probes.map((p) => [p.destination.kind === 'host' && p.destination.node, p.targetNodes])).toEqual([['node-00000', 1]]);
  });
});

describe('made-up addresses', () => {
  it('can keep pods and outside addresses out of every network the objects name', () => {
    const text = fleet(3).replace('allowedNets: [172.15.0.0/24]', 'allowedNets: [10.244.0.0/16, 203.0.113.0/24, 100.64.0.0/10]');
    const r = compileText(text, 'fleet');
    const nets = ['10.244.0.0/16', '203.0.113.0/24', '100.64.0.0/10', '192.0.2.0/24'].map((n) => {
      const parsed = parseCidr(n);
      if (!parsed.ok) throw new Error(n);
      return parsed.cidr;
    });
    const a = r.access;
    if (!a) throw new Error('no access');
    for (const client of ['unlabelled-pod', 'external', 'pod-same-node'] as const) {
      for (const p of cell(a, 'calico-node-metrics', client).probes) {
        const ip = parseIp(p.source.ip);
        if (!ip.ok) throw new Error(p.source.ip);
        expect([client, p.source.ip, nets.some((n) => cidrContains(n, ip.ip))]).toEqual([client, p.source.ip, false]);
      }
    }
  });

  it('can leave a class without probe, and say why, when an allowed network covers every address', () => {
    const r = compileText(fleet(3).replace('allowedNets: [172.15.0.0/24]', 'allowedNets: [0.0.0.0/0]'), 'fleet');
    const a = r.access;
    if (!a) throw new Error('no access');
    expect(cell(a, 'calico-node-metrics', 'unlabelled-pod')).toMatchObject({ status: 'none', note: 'every address calico-shield would use is in a network the objects name' });
    // Every node's address is in the allowed network too: the other hosts are allowed, and that is an error.
    expect(r.findings.map((f) => f.code)).toContain('exposed-port');
  });
});

describe("a class's addresses", () => {
  it('are the first of each family its endpoint expects, in the order written', () => {
    const r = compileText(fleet(3), 'fleet');
    if (!r.plan || !r.objects || !r.spec) throw new Error('no plan');
    // A dump's order, not the spec's sorted one: 10.0.0.250 first, then fd00::2, 10.0.0.9, fd00::1.
    const objects = r.objects.map((o) => (o.kind === 'HostEndpoint' && o.metadata.name === 'node-00000.eth0' ? { ...o, spec: { ...o.spec, expectedIPs: ['10.0.0.250', 'fd00::2', '10.0.0.9', 'fd00::1'] } } : o));
    const access = computeAccess(r.plan, buildModel(objects, { failsafeDefaults: r.spec.failsafe }));
    const cls = access.hostClasses.find((c) => c.hostEndpoint.name === 'node-00000.eth0');
    expect([cls?.ips[4]?.text, cls?.ips[6]?.text]).toEqual(['10.0.0.250', 'fd00::2']);
  });
});

describe('computeAccess on objects alone', () => {
  it('can compute from a model whose nodes have no host endpoint', () => {
    const r = compileOk('clusters/example.yaml');
    if (!r.plan) throw new Error('no plan');
    const a = computeAccess(r.plan, buildModel(r.objects.filter((o) => o.kind !== 'HostEndpoint'), { failsafeDefaults: r.plan.spec.failsafe }));
    const node = a.servers.find((s) => s.server.id === 'calico-node-metrics');
    expect(node?.uncoveredNodes).toEqual({ count: 2, names: ['kubeadm-master', 'kubeadm-node-0'] });
    expect(node?.cells.every((c) => c.status === 'none')).toBe(true);
  });
});

/** Cells (and needed paths) of an access matrix whose probes repeat a flow, one entry per repeat. */
const repeatedProbes = (access: AccessMatrix | undefined): string[] => {
  const repeats = (where: string, probes: readonly object[]): string[] => {
    const flows = probes.map((p) => JSON.stringify(p));
    return flows.filter((f, i) => flows.indexOf(f) !== i).map(() => where);
  };
  return [
    ...(access?.servers ?? []).flatMap((s) => s.cells.flatMap((c) => repeats(`${s.server.id} ${c.client}`, c.probes))),
    ...(access?.needs ?? []).flatMap((n) => repeats(`${n.server.id} needs ${n.need.port}`, n.probes)),
  ];
};

describe('probes of a cell', () => {
  it.each(['example', 'allow-list-essentials', 'allow-list-etcd', 'auto-hep', 'etcd-v3-30'])('are distinct flows (%s)', (name) => {
    const access = accessOf(`clusters/${name}.yaml`);
    expect(access.servers.length).toBeGreaterThan(0);
    expect(repeatedProbes(access)).toEqual([]);
  });

  /** Nodes a and b, each with eth0 and eth1; a server on both, both its clients. */
  const twoByTwo = (extra = ''): string =>
    [
      'apiVersion: calico-shield/v1alpha1',
      'kind: Cluster',
      'spec:',
      '  approach: allow-list',
      '  environment: {install: manifests, ipPools: [{cidr: 192.168.0.0/16, natOutgoing: false}]}',
      '  nodes:',
      '    - {name: a, interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}, {name: eth1, expectedIPs: [10.1.0.1]}]}',
      `    - {name: b, interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}${extra === 'b without eth1' ? '' : ', {name: eth1, expectedIPs: [10.1.0.2]}'}]}`,
      '  protectedServers:',
      '    - {name: svc, port: 7000, runsOn: {nodes: [a, b]}, allowedClients: {nodes: [a, b], nets: [10.0.0.0/24]}}',
      '',
    ].join('\n');
  const loopbacks = (access: AccessMatrix | undefined): number[] =>
    (access?.servers.find((s) => s.server.id === 'svc')?.cells.find((c) => c.client === 'allowed-host')?.probes ?? []).filter((p) => p.source.kind === 'host' && p.source.interface === 'lo').map((p) => p.targetNodes);

  it("keeps one loopback probe for a node's targets that stand for as many nodes, and both when they do not", () => {
    // eth0 and eth1 are groups of their own (the network tells them apart), each of two nodes.
    expect(loopbacks(compileText(twoByTwo(), 'lo').access)).toEqual([2]);
    // Without b's eth1, a's eth1 stands for itself only: "and the nodes like it" differs.
    expect(loopbacks(compileText(twoByTwo('b without eth1'), 'lo').access).sort()).toEqual([1, 2]);
  });

  it.each(['eth0', 'eth1'])('probes the loopback through the target the client selector selects (the label dropped from %s)', (iface) => {
    const r = compileText(twoByTwo(), 'lo');
    if (!r.plan || !r.objects) throw new Error('no plan');
    // Per-interface labels, as a dump may have them: the interface without the client label is
    // a target of the server but no client of it.
    const objects = r.objects.map((o) => {
      if (o.kind !== 'HostEndpoint' || !o.metadata.name.endsWith(`.${iface}`)) return o;
      const { ['allowed-svc-client']: _dropped, ...labels } = o.metadata.labels ?? {};
      return { ...o, metadata: { ...o.metadata, labels } };
    });
    const access = computeAccess(r.plan, buildModel(objects, { failsafeDefaults: r.plan.spec.failsafe }));
    expect(access.servers.find((s) => s.server.id === 'svc')?.targets.filter((t) => t.hostEndpoint?.node === 'a')).toHaveLength(2);
    expect(loopbacks(access)).toEqual([2]);
  });

  // The benchmark's fleets: two interfaces a node, in networks the policies tell apart, so a
  // node's two host endpoints fall in different groups. A pod placed on a group's representative
  // node once per group was the same pod on the same node twice: the same flow probed, listed
  // and counted ("1 of 2 allowed") twice.
  it.each(['deny-list', 'allow-list'] as const)('are distinct flows (%s fleet)', (approach) => {
    const name = `fleet-40-${approach}`;
    const r = compileText(fleetSpec(fleetCase(40, approach, name)), name);
    const servers = r.access?.servers ?? [];
    expect(servers.length).toBeGreaterThan(0);
    expect(repeatedProbes(r.access)).toEqual([]);
    // The unlabelled pod is still probed from more than one node.
    const unlabelled = servers.flatMap((s) => s.cells.filter((c) => c.client === 'unlabelled-pod').map((c) => new Set(c.probes.map((p) => JSON.stringify(p.source))).size));
    expect(Math.max(...unlabelled)).toBeGreaterThan(1);
  });
});

