import fc from 'fast-check';
import type { CalicoObject } from '../../lib/calico/object';
import { parseCidr, parseIp, type ParsedIp } from '../../lib/calico/net';
import { parseSelector } from '../../lib/calico/selector';
import { buildModel, INSTALLER_ENDPOINT_TO_HOST, ipSetContains, ipSetHas, labelsKey, SPEC_ENDPOINT_TO_HOST, tunnelAddress, type ModelEnvironment, type ModelIssue } from '../../lib/verify/model';
import { context, denyList, felixConfiguration, gnp, gns, hep, masterEth0, np } from './objects';

const issuesOf = (objects: readonly CalicoObject[]): readonly ModelIssue[] => buildModel(objects, context).issues;

// Errors are data: an object Calico would refuse is left out and reported; a valid field the
// model does not evaluate is reported as a warning saying what the model assumes.
describe('buildModel issues', () => {
  it.each([
    [
      'fails a policy whose selector does not parse, and leaves it out',
      gnp('broken', { selector: 'role == "a" &&', ingress: [{ action: 'Allow' }] }),
      { severity: 'error', object: { kind: 'GlobalNetworkPolicy', name: 'broken' }, path: 'spec.selector' },
    ],
    [
      'fails a rule selector that does not parse',
      gnp('broken', { ingress: [{ action: 'Allow', source: { notSelector: 'has(' } }] }),
      { severity: 'error', path: 'spec.ingress[0].source.notSelector' },
    ],
    ['fails an unknown rule action', gnp('broken', { ingress: [{ action: 'Accept' }] }), { severity: 'error', path: 'spec.ingress[0].action' }],
    ['fails a protocol Calico does not spell that way', gnp('broken', { ingress: [{ action: 'Allow', protocol: 'tcp' }] }), { severity: 'error', path: 'spec.ingress[0].protocol' }],
    ['fails an unknown policy type', gnp('broken', { types: ['Forward'] }), { severity: 'error', path: 'spec.types[0]' }],
    ['fails a port that is not one', gnp('broken', { ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['80:70'] } }] }), { severity: 'error', path: 'spec.ingress[0].destination.ports[0]' }],
    [
      'fails a NetworkPolicy without namespace',
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: {} },
      { severity: 'error', path: 'metadata.namespace' },
    ],
    ['fails a network set net with host bits set', gns('set', {}, ['172.15.0.1/24']), { severity: 'error', path: 'spec.nets[0]', message: expect.stringContaining('host bits set') }],
    ['fails a host endpoint without node', hep('h', {}, { interfaceName: 'eth0' }), { severity: 'error', path: 'spec.node' }],
    ['fails a host endpoint with a bad expected IP', hep('h', {}, { node: 'n', expectedIPs: ['10.0.0.256'] }), { severity: 'error', path: 'spec.expectedIPs[0]' }],
    // By its place in the list as written, past an item that is not a string (found by review).
    ['fails a bad expected IP after an item that is not a string, at its own place', hep('h', {}, { node: 'n', expectedIPs: [5, '10.0.0.256'] }), { severity: 'error', path: 'spec.expectedIPs[1]', message: expect.stringContaining('10.0.0.256') }],
    ['fails an expected IP that is not a string, at its own place', hep('h', {}, { node: 'n', expectedIPs: ['10.0.0.1', 5] }), { severity: 'error', path: 'spec.expectedIPs[1]', message: 'must be a string' }],
    ['fails a network set net after an item that is not a string, at its own place', { ...gns('set', {}, []), spec: { nets: [5, '172.15.0.1/24'] } }, { severity: 'error', path: 'spec.nets[1]', message: expect.stringContaining('host bits set') }],
    ['can warn about an unknown profile after an item that is not a string, at its own place', hep('h', {}, { node: 'n', interfaceName: 'eth0', profiles: [5, 'mine'] }), { severity: 'warning', path: 'spec.profiles[1]' }],
    ['fails another apiVersion', { apiVersion: 'crd.projectcalico.org/v1', kind: 'HostEndpoint', metadata: { name: 'h' }, spec: {} }, { severity: 'error', path: 'apiVersion' }],
    ['fails a bad DefaultEndpointToHostAction', felixConfiguration('default', { defaultEndpointToHostAction: 'Maybe' }), { severity: 'error', path: 'spec.defaultEndpointToHostAction' }],
    ['can warn about a named port', gnp('named', { ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['metrics'] } }] }), { severity: 'warning', path: 'spec.ingress[0].destination.ports[0]' }],
    ['can warn about a Service match', gnp('svc', { ingress: [{ action: 'Allow', source: { services: { name: 'x', namespace: 'y' } } }] }), { severity: 'warning', path: 'spec.ingress[0].source.services' }],
    ['can warn about a tier other than default', gnp('tiered', { tier: 'security', ingress: [{ action: 'Allow' }] }), { severity: 'warning', path: 'spec.tier' }],
    ['can warn about preDNAT policy', gnp('early', { preDNAT: true, applyOnForward: true, ingress: [{ action: 'Deny' }] }), { severity: 'warning', path: 'spec.preDNAT' }],
    ['can warn about an unknown profile', hep('h', {}, { node: 'n', interfaceName: 'eth0', profiles: ['mine'] }), { severity: 'warning', path: 'spec.profiles[0]' }],
    ['can warn about a kind the model does not read', { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec: {} }, { severity: 'warning', path: 'kind' }],
    ['fails a tier whose order is not a number', { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 'first' } }, { severity: 'error', path: 'spec.order' }],
    ['can warn about a FelixConfiguration no node reads', felixConfiguration('other', {}), { severity: 'warning', path: 'metadata.name' }],
    [
      'can warn when automatic host endpoints are on but no nodes are given',
      { apiVersion: 'projectcalico.org/v3', kind: 'KubeControllersConfiguration', metadata: { name: 'default' }, spec: { controllers: { node: { hostEndpoint: { autoCreate: 'Enabled' } } } } },
      { severity: 'warning', path: 'spec.controllers.node.hostEndpoint.autoCreate' },
    ],
    [
      'can warn about host endpoint templates',
      {
        apiVersion: 'projectcalico.org/v3',
        kind: 'KubeControllersConfiguration',
        metadata: { name: 'default' },
        spec: { controllers: { node: { hostEndpoint: { autoCreate: 'Enabled', templates: [{ generateName: 'x' }] } } } },
      },
      { severity: 'warning', path: 'spec.controllers.node.hostEndpoint.templates' },
    ],
  ])('%s', (_title, object, issue) => {
    expect(issuesOf([object])).toContainEqual(expect.objectContaining(issue));
  });

  it.each([
    ['a policy with an error', gnp('broken', { selector: 'a ==' })],
    ['a policy in another tier', gnp('tiered', { tier: 'security' })],
    ['a preDNAT policy', gnp('early', { preDNAT: true })],
  ])('fails to model %s: it is left out', (_title, object) => {
    expect(buildModel([object], context).policies).toEqual([]);
  });

  it('can read the seed examples without issues', () => {
    expect(issuesOf(denyList)).toEqual([]);
  });
});

describe('policies as Felix sees them', () => {
  // https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy#spec, "If types has no value".
  it.each([
    ['no rules', {}, ['Ingress']],
    ['ingress rules only', { ingress: [{ action: 'Allow' }] }, ['Ingress']],
    ['egress rules only', { egress: [{ action: 'Allow' }] }, ['Egress']],
    ['both', { ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] }, ['Ingress', 'Egress']],
    ['explicit types', { types: ['Egress'], ingress: [{ action: 'Allow' }] }, ['Egress']],
  ])('can default types for %s', (_title, spec, types) => {
    expect(buildModel([gnp('p', spec)], context).policies[0]?.types).toEqual(types);
  });

  it('can sort by order, no order last, ties by name/namespace/kind as Felix does (felix/calc/policy_sorter.go:385-397)', () => {
    const model = buildModel([gnp('z', {}), gnp('b', { order: 10 }), np('a-ns', 'y', { order: 10 }), gnp('c', { order: 1 }), gnp('a', {})], context);
    expect(model.policies.map((p) => p.sortKey)).toEqual(['c//GlobalNetworkPolicy', 'b//GlobalNetworkPolicy', 'y/a-ns/NetworkPolicy', 'a//GlobalNetworkPolicy', 'z//GlobalNetworkPolicy']);
    // The reviewer's case: GlobalNetworkPolicy b before NetworkPolicy a/z at the same order, by name first.
    const tie = buildModel([np('a', 'z', { order: 100 }), gnp('b', { order: 100 })], context);
    expect(tie.policies.map((p) => p.ref.name)).toEqual(['b', 'z']);
  });

  it.each([
    ['a NetworkPolicy to its namespace', np('calico-system', 'p', { selector: 'k8s-app == "calico-kube-controllers"' }), 'k8s-app == "calico-kube-controllers" && projectcalico.org/namespace == "calico-system"'],
    ['a GlobalNetworkPolicy namespaceSelector to namespaced workloads', gnp('p', { namespaceSelector: 'team == "obs"' }), 'has(projectcalico.org/namespace) && pcns.team == "obs"'],
    ['a serviceAccountSelector to workloads with a service account', gnp('p', { serviceAccountSelector: 'role == "scraper"' }), 'has(projectcalico.org/serviceaccount) && pcsa.role == "scraper"'],
  ])('can scope %s', (_title, object, key) => {
    expect(buildModel([object], context).policies[0]?.selector.key).toBe(key);
  });

  // rules.go getEndpointSelector: a namespaced rule with only a notSelector still gets a namespace-scoped positive selector.
  it.each([
    ['only notSelector, namespaced', 'calico-system', { notSelector: 'a == "b"' }, 'projectcalico.org/namespace == "calico-system"', 'a == "b"'],
    ['only notSelector, global', undefined, { notSelector: 'a == "b"' }, undefined, 'a == "b"'],
    ['selector with namespaceSelector all()', undefined, { selector: 'a == "b"', namespaceSelector: 'all()' }, 'has(projectcalico.org/namespace) && a == "b"', undefined],
    ['namespaceSelector global()', 'ns', { selector: 'a == "b"', namespaceSelector: 'global()' }, '!has(projectcalico.org/namespace) && a == "b"', undefined],
    ['serviceAccounts names and selector', undefined, { serviceAccounts: { names: ['x'], selector: 'team == "t"' } }, 'pcsa.team == "t" && projectcalico.org/serviceaccount in {"x"}', undefined],
    ['no selector fields, namespaced', 'ns', { nets: ['10.0.0.0/8'] }, undefined, undefined],
  ])('can scope a rule source with %s', (_title, namespace, source, positive, negative) => {
    const object = namespace === undefined ? gnp('p', { ingress: [{ action: 'Allow', source }] }) : np(namespace, 'p', { ingress: [{ action: 'Allow', source }] });
    const rule = buildModel([object], context).policies[0]?.ingress[0];
    expect(rule?.source.selector?.key).toBe(positive);
    expect(rule?.source.notSelector?.key).toBe(negative);
  });

  it('can select a label set once, however many endpoints carry it', () => {
    const model = buildModel(denyList, context);
    const first = model.policiesFor({ 'running-calico': 'true' });
    expect(model.policiesFor({ 'running-calico': 'true' })).toBe(first);
    expect(first.ingress.map((p) => p.ref.name)).toEqual(['restrict-calico-node-prometheus', 'restrict-typha-prometheus', 'default-host']);
    expect(first.egress.map((p) => p.ref.name)).toEqual(['default-host']);
    expect(labelsKey({ b: '1', a: '2' })).toBe(labelsKey({ a: '2', b: '1' }));
    // Sorted as they come or not, integer-like keys (which objects list first) included.
    expect(labelsKey({ a: 'z', '2': 'y', '10': 'x' })).toBe('{"10":"x","2":"y","a":"z"}');
    expect(labelsKey({ '10': 'x', a: 'z', '2': 'y' })).toBe(labelsKey({ a: 'z', '2': 'y', '10': 'x' }));
    expect(labelsKey({ a: '1', b: '2' })).toBe('{"a":"1","b":"2"}');
    expect(labelsKey({ a: '1', b: '2' })).not.toBe(labelsKey({ a: '1', b: '2', c: '' }));
  });

  it("names the last selected endpoint in the model's order as an address's owner, as Felix's IP set keeps one member per address", () => {
    const a = hep('a.eth0', { role: 'x' }, { node: 'a', interfaceName: 'eth0', expectedIPs: ['10.0.0.1'] });
    const b = hep('b.eth0', { role: 'y' }, { node: 'b', interfaceName: 'eth0', expectedIPs: ['10.0.0.1', '10.0.0.2'] });
    const c = hep('c.eth0', { role: 'x' }, { node: 'c', interfaceName: 'eth0', expectedIPs: ['10.0.0.1'] });
    const unaddressed = hep('d.eth0', { role: 'z' }, { node: 'd', interfaceName: 'eth0' });
    const model = buildModel([a, b, c, unaddressed], context);
    const set = (text: string) => {
      const parsed = parseSelector(text);
      if (!parsed.ok) throw new Error(text);
      return model.ipSet({ selector: parsed.selector, key: text });
    };
    expect(set("role == 'x'").hostWith('10.0.0.1')?.name).toBe('c.eth0');
    expect(set("role == 'y'").hostWith('10.0.0.1')?.name).toBe('b.eth0');
    expect(set("role == 'x'").hostWith('10.0.0.2')).toBeUndefined();
    expect(set("role in {'x', 'y'}").hostWith('10.0.0.2')?.name).toBe('b.eth0');
    expect(set("role == 'z'").hasHostAddresses).toBe(false);
    expect(set("role == 'y'").hasHostAddresses).toBe(true);
    // An address one endpoint expects twice has one owner all the same.
    const twice = buildModel([hep('t.eth0', { role: 'x' }, { node: 't', interfaceName: 'eth0', expectedIPs: ['10.0.0.9', '10.0.0.9'] })], context);
    const x = parseSelector("role == 'x'");
    if (!x.ok) throw new Error('selector');
    expect(twice.ipSet({ selector: x.selector, key: 'x' }).hostWith('10.0.0.9')?.name).toBe('t.eth0');
  });

  it('names each network of an IP set by its own network set, a namespaced one with its namespace', () => {
    const team: CalicoObject = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'c', namespace: 'team', labels: { role: 'x' } }, spec: { nets: ['10.3.0.0/16'] } };
    const model = buildModel([gns('a', { role: 'x' }, ['10.1.0.0/16', '10.1.1.0/24']), gns('b', { role: 'x' }, ['10.2.0.0/16']), gns('d', { role: 'y' }, ['10.4.0.0/16']), team], context);
    const x = parseSelector("role == 'x'");
    if (!x.ok) throw new Error('selector');
    expect(model.ipSet({ selector: x.selector, key: 'x' }).nets.map((n) => `${n.owner} ${n.text}`)).toEqual([
      'GlobalNetworkSet a 10.1.0.0/16',
      'GlobalNetworkSet a 10.1.1.0/24',
      'GlobalNetworkSet b 10.2.0.0/16',
      'NetworkSet team/c 10.3.0.0/16',
    ]);
  });

  it('names the owner a walk over every endpoint names, for any endpoints sharing addresses', () => {
    const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    const endpoint = fc.record({ role: fc.constantFrom('x', 'y'), ips: fc.array(fc.constantFrom(...ips), { maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(endpoint, { maxLength: 6 }), fc.constantFrom("role == 'x'", "role == 'y'", 'has(role)'), (list, text) => {
        const objects = list.map((e, i) => hep(`h${i}.eth0`, { role: e.role }, { node: `h${i}`, interfaceName: 'eth0', expectedIPs: e.ips }));
        const parsed = parseSelector(text);
        if (!parsed.ok) throw new Error(text);
        const set = buildModel(objects, context).ipSet({ selector: parsed.selector, key: text });
        for (const ip of ips) {
          // The last endpoint in the model's order that the selector selects and that expects the address.
          const owner = list.map((e, i) => ({ e, i })).filter(({ e }) => e.ips.includes(ip) && (text === 'has(role)' || text.includes(`'${e.role}'`))).pop();
          expect(set.hostWith(ip)?.name).toBe(owner && `h${owner.i}.eth0`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('can list what a rule selector stands for: host endpoint addresses and network set nets', () => {
    const model = buildModel(denyList, context);
    const set = model.ipSet(model.policies[0]!.ingress[0]!.source.notSelector!);
    expect(set.hasHostAddresses).toBe(false);
    expect(set.hostWith('10.100.0.15')).toBeUndefined();
    expect(set.nets.map((n) => `${n.owner} ${n.text}`)).toEqual(['GlobalNetworkSet calico-prometheus-set 172.15.0.0/24', 'GlobalNetworkSet calico-prometheus-set 172.101.0.0/24']);
    const hosts = model.ipSet(model.policies.find((p) => p.ref.name === 'default-host')!.selector);
    expect(hosts.hasHostAddresses).toBe(true);
    expect(['10.100.0.15', '10.100.0.16', '10.100.0.17'].map((ip) => hosts.hostWith(ip)?.name)).toEqual(['kubeadm-master.eth0', 'kubeadm-node-0.eth0', undefined]);
    expect(ipSetHas(hosts, { family: 4, text: '10.100.0.16', bytes: Uint8Array.of(10, 100, 0, 16) })).toBe('HostEndpoint kubeadm-node-0.eth0');
    // ipSetContains says whether ipSetHas names anything: a host endpoint, a network, or nothing.
    const ip = (text: string, bytes: number[]): ParsedIp => ({ family: 4, text, bytes: Uint8Array.from(bytes) });
    const samples = [ip('10.100.0.16', [10, 100, 0, 16]), ip('10.100.0.17', [10, 100, 0, 17]), ip('172.15.0.9', [172, 15, 0, 9]), ip('172.16.0.9', [172, 16, 0, 9])];
    for (const s of [hosts, set]) expect(samples.map((x) => ipSetContains(s, x))).toEqual(samples.map((x) => ipSetHas(s, x) !== undefined));
    expect(samples.map((x) => ipSetContains(set, x))).toEqual([false, false, true, false]);
    expect(samples.map((x) => ipSetContains(hosts, x))).toEqual([true, false, false, false]);
  });
});

// Felix's endpoint manager resolves each interface to the named endpoint (by interfaceName, or
// by an expected IP when interfaceName is empty), else to the `*` endpoint
// (https://docs.tigera.io/calico/latest/reference/resources/hostendpoint); FelixConfiguration
// node.<name> overrides default (https://docs.tigera.io/calico/latest/reference/resources/felixconfig).
describe('host endpoint resolution and Felix settings', () => {
  const named = (name: string, iface?: string, ips: string[] = []): CalicoObject => hep(name, {}, { node: 'n1', ...(iface !== undefined && { interfaceName: iface }), expectedIPs: ips });

  it.each([
    ['the first name among endpoints naming the interface', [named('b', 'eth0'), named('a', 'eth0')], 'eth0', undefined, 'a'],
    ['an endpoint by expected IP over `*`', [named('star', '*'), named('by-ip', undefined, ['10.0.0.1'])], 'ens3', '10.0.0.1', 'by-ip'],
    ['`*` for an interface no endpoint names', [named('star', '*'), named('eth0', 'eth0')], 'eth1', undefined, 'star'],
    ['nothing on an interface of a node without `*`', [named('eth0', 'eth0')], 'eth1', undefined, undefined],
  ])('can pick %s', (_title, objects, iface, ip, expected) => {
    expect(buildModel(objects, context).hostEndpointFor('n1', iface, ip)?.name).toBe(expected);
  });

  // The model keeps each node's endpoints sorted by name and takes the first that matches: the
  // same endpoint as filtering them, then sorting (stably) by name, as the rule above reads.
  it('picks what the rule picks, for any endpoints, names repeated, in any order', () => {
    const ifaces = [undefined, 'eth0', 'eth1', '*'] as const;
    const ips = ['10.0.0.1', '10.0.0.2', 'fd00::1'];
    const CANONICAL: Readonly<Record<string, string>> = { 'fd00:0:0::1': 'fd00::1', 'FD00::1': 'fd00::1' };
    const endpoint = fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      node: fc.constantFrom('n1', 'n2'),
      iface: fc.constantFrom(...ifaces),
      ips: fc.subarray(ips),
    });
    const byRule = (heps: readonly { name: string; node: string; iface?: string; ips: string[]; at: number }[], node: string, iface: string | undefined, ip: string | undefined): number | undefined => {
      const first = (list: typeof heps): number | undefined => [...list].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))[0]?.at;
      const mine = heps.filter((h) => h.node === node);
      // An interface's address as asked may be written otherwise: the endpoints' are canonical.
      const address = ip === undefined ? undefined : (CANONICAL[ip] ?? ip);
      const specific = mine.filter((h) => (h.iface === undefined ? address !== undefined && h.ips.includes(address) : iface !== undefined && iface !== '*' && h.iface === iface));
      return first(specific) ?? first(mine.filter((h) => h.iface === '*'));
    };
    fc.assert(
      fc.property(fc.array(endpoint, { maxLength: 7 }), fc.constantFrom('n1', 'n2', 'n3'), fc.constantFrom(...ifaces), fc.constantFrom(undefined, ...ips, ...Object.keys(CANONICAL)), (list, node, iface, ip) => {
        const heps = list.map((h, at) => ({ ...h, at }));
        // Each endpoint told apart by a label: equal names are different objects.
        const objects = heps.map((h) => hep(h.name, { at: String(h.at) }, { node: h.node, ...(h.iface !== undefined && { interfaceName: h.iface }), expectedIPs: h.ips }));
        const picked = buildModel(objects, context).hostEndpointFor(node, iface, ip);
        const expected = byRule(heps, node, iface, ip);
        expect(picked === undefined ? undefined : Number(picked.labels.at)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['Felix defaults', [], {}, 'Accept', 9, 'Felix defaults'],
    ['the context', [], { defaultEndpointToHostAction: 'Drop' as const }, 'Drop', 9, 'Felix defaults'],
    ['FelixConfiguration default', [felixConfiguration('default', { defaultEndpointToHostAction: 'RETURN', failsafeInboundHostPorts: [{ port: 22 }] })], {}, 'Accept', 1, 'FelixConfiguration default'],
    [
      'node.<name> over default, setting by setting',
      [felixConfiguration('default', { defaultEndpointToHostAction: 'Drop', failsafeInboundHostPorts: [] }), felixConfiguration('node.n1', { failsafeInboundHostPorts: [{ port: 22 }, { port: 23 }] })],
      {},
      'Accept',
      2,
      'FelixConfiguration node.n1',
    ],
  ])('can take Felix settings from %s', (_title, objects, extra, action, inbound, inboundFrom) => {
    const felix = buildModel(objects, { ...context, ...extra }).felix('n1');
    // DefaultEndpointToHostAction is calico-node's environment variable, whatever a FelixConfiguration says.
    expect(felix.defaultEndpointToHostAction).toEqual({ value: action, configuredBy: 'defaultEndpointToHostAction' in extra ? SPEC_ENDPOINT_TO_HOST : INSTALLER_ENDPOINT_TO_HOST });
    expect(felix.failsafeInbound.value).toHaveLength(inbound);
    expect(felix.failsafeInbound.configuredBy).toBe(inboundFrom);
  });

  it('can report a FelixConfiguration that selects nodes as not modelled, in the words of the minor', () => {
    const selecting = { apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'edge' }, spec: { nodeSelector: "role == 'edge'", failsafeInboundHostPorts: [] } };
    const message = (calicoVersion: 'v3.31' | 'v3.32') => buildModel([selecting], { ...context, calicoVersion }).issues.map((i) => i.message);
    expect(message('v3.32')).toEqual([expect.stringMatching(/^FelixConfigurations that select nodes by nodeSelector \(a Calico v3\.32 tech preview\) are not modelled/)]);
    expect(message('v3.31')).toEqual(['only FelixConfigurations named default or node.<node> configure Felix: the object is left out']);
  });

  it('can report a FelixConfiguration defaultEndpointToHostAction that calico-node\'s environment overrides', () => {
    const model = buildModel([felixConfiguration('default', { defaultEndpointToHostAction: 'Drop' })], context);
    expect(model.issues).toEqual([
      expect.objectContaining({
        severity: 'warning',
        path: 'spec.defaultEndpointToHostAction',
        message: "Drop has no effect: calico-node's environment variable FELIX_DEFAULTENDPOINTTOHOSTACTION=ACCEPT outranks every FelixConfiguration",
      }),
    ]);
    expect(buildModel([felixConfiguration('default', { defaultEndpointToHostAction: 'Accept' })], context).issues).toEqual([]);
  });

  it('can default a failsafe entry without protocol to TCP', () => {
    expect(buildModel([felixConfiguration('default', { failsafeInboundHostPorts: [{ port: 22 }] })], context).felix('n1').failsafeInbound.value[0]?.entry).toEqual({ protocol: 'TCP', port: 22 });
  });

  it('can keep a host endpoint without policy in the model', () => {
    expect(buildModel([masterEth0], context).hostEndpoints).toEqual([
      {
        name: 'kubeadm-master.eth0',
        node: 'kubeadm-master',
        interfaceName: 'eth0',
        expectedIPs: ['10.100.0.15'],
        addresses: [{ family: 4, text: '10.100.0.15', bytes: Uint8Array.of(10, 100, 0, 15) }],
        labels: { 'running-calico': 'true' },
        profiles: [],
      },
    ]);
  });

  it('keeps the expected IPs canonical, and parsed in the same order', () => {
    const [h] = buildModel([hep('h', {}, { node: 'n', interfaceName: 'eth0', expectedIPs: ['FD00:0::1', '10.0.0.2', 'fd00::2'] })], context).hostEndpoints;
    expect(h?.expectedIPs).toEqual(['fd00::1', '10.0.0.2', 'fd00::2']);
    expect(h?.addresses.map((ip) => [ip.family, ip.text])).toEqual([
      [6, 'fd00::1'],
      [4, '10.0.0.2'],
      [6, 'fd00::2'],
    ]);
  });

  // Felix's all-hosts-net holds one address per node and family (v3.32.1
  // felix/dataplane/linux/ipset_hosts_mgr.go:72-124): the model takes the first of each family
  // of the node's host endpoints, in name order, never its tunnel's (no mutant of that rule
  // failed a test before).
  it("counts a node's first address of each family as a Calico host, not the others nor its tunnel's", () => {
    const pool = parseCidr('192.168.0.0/16');
    if (!pool.ok) throw new Error('bad pool');
    const environment: ModelEnvironment = { ipPools: [{ cidr: pool.cidr, natOutgoing: true }], natOutgoingExclusions: 'IPPoolsOnly', encapsulation: 'IPIP', wireguard: false };
    const tunnel = tunnelAddress('n1', environment)?.text;
    if (tunnel === undefined) throw new Error('no tunnel address');
    const model = buildModel(
      [
        hep('n1.eth1', {}, { node: 'n1', interfaceName: 'eth1', expectedIPs: ['10.0.1.1', 'fd00:1::1'] }),
        hep('n1.eth0', {}, { node: 'n1', interfaceName: 'eth0', expectedIPs: [tunnel, '10.0.0.1', '10.0.0.2', 'fd00::1', 'fd00::2'] }),
      ],
      { ...context, environment },
    );
    const host = (text: string): boolean => {
      const ip = parseIp(text);
      if (!ip.ok) throw new Error(text);
      return model.isCalicoHost(ip.ip);
    };
    expect(['10.0.0.1', 'fd00::1'].map(host)).toEqual([true, true]);
    expect([tunnel, '10.0.0.2', 'fd00::2', '10.0.1.1', 'fd00:1::1'].map(host)).toEqual([false, false, false, false, false]);
  });

  it("parses an automatic host endpoint's addresses: the node's that are addresses, then its tunnel's", () => {
    const kcc = { apiVersion: 'projectcalico.org/v3', kind: 'KubeControllersConfiguration', metadata: { name: 'default' }, spec: { controllers: { node: { hostEndpoint: { autoCreate: 'Enabled' } } } } };
    const pool = parseCidr('192.168.0.0/16');
    if (!pool.ok) throw new Error('bad pool');
    const environment: ModelEnvironment = { ipPools: [{ cidr: pool.cidr, natOutgoing: true }], natOutgoingExclusions: 'IPPoolsOnly', encapsulation: 'IPIP', wireguard: false };
    const [h] = buildModel([kcc], { ...context, environment, nodes: [{ name: 'n1', ips: ['FD00:0::1', 'not an address', '10.0.0.1'] }] }).hostEndpoints;
    const tunnel = tunnelAddress('n1', environment);
    expect(tunnel).toBeDefined();
    expect(h?.expectedIPs).toEqual(['fd00::1', 'not an address', '10.0.0.1', tunnel?.text]);
    expect(h?.addresses.map((ip) => ip.text)).toEqual(['fd00::1', '10.0.0.1', tunnel?.text]);
  });
});
