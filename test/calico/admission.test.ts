/**
 * Calico's validator rules (libcalico-go/lib/validator/v3/validator.go at v3.32.1), one
 * accepted and one refused object per rule. Cases marked "Go test" are taken from the same
 * file's validator_test.go at that tag.
 */
import { admit, goRegexpProblem } from '../../lib/calico/admission';
import { CalicoObject } from '../../lib/calico/object';
import { felix, gnp, gns, hep, np, rule, shown, template } from '../support/admission';

const ACCEPTED: readonly [string, CalicoObject][] = [
    ['IPv4 nets in source and destination', rule({ protocol: 'TCP', source: { nets: ['10.0.0.0/8'] }, destination: { nets: ['192.0.2.0/24'], ports: [2379] } })],
    ['IPv6 nets only', rule({ source: { nets: ['::1/128', 'fd00::/8'] } })],
    ['ipVersion 6 with IPv6 nets', rule({ ipVersion: 6, source: { nets: ['fd00::/8'] } })],
    ['a named port without a protocol', rule({ destination: { ports: ['metrics'] } })],
    ['a port range with SCTP', rule({ protocol: 'SCTP', destination: { ports: ['1:65535'] } })],
    ['protocol 6 (TCP by number) with ports (Go test: "source ports and protocol type 6")', rule({ protocol: 6, source: { ports: [1] } })],
    ['ICMP with type and code', rule({ protocol: 'ICMP', icmp: { type: 8, code: 0 } })],
    ['global() alone as a namespaceSelector (Go test)', rule({ source: { namespaceSelector: 'global()' } })],
    ['"  global()  " with spaces as a namespaceSelector (Go test)', rule({ source: { namespaceSelector: '  global()  ' } })],
    ['a GlobalNetworkPolicy name with one dot (v3.32 dropped tier prefixes)', gnp({}, 'th.ing')],
    ['a NetworkPolicy name of 253 characters', np({}, `a${'b'.repeat(251)}c`)],
    ['a NetworkPolicy name with one dot', np({}, 'th.ing')],
    ['preDNAT with applyOnForward and ingress only', gnp({ preDNAT: true, applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Deny' }] })],
    ['a host endpoint with "*" and no IPs', hep({ node: 'node-1', interfaceName: '*' })],
    ['a host endpoint with expected IPs only', hep({ node: 'node-1', expectedIPs: ['10.0.0.1', 'fd00::1'] })],
    // A hole of a sparse list (a list built in code, never YAML) is skipped, not a violation.
    ['expected IPs with a hole', hep({ node: 'node-1', expectedIPs: Object.assign(new Array<string>(3), { 0: '10.0.0.1', 2: '10.0.0.2' }) })],
    // validator.go:2208 lower-cases an annotation's key before checking it as a qualified name.
    ['an annotation key in upper case', { ...hep({ node: 'node-1', interfaceName: 'eth0' }), metadata: { name: 'node-1.eth0', annotations: { 'Example.COM/Note': 'x' } } }],
    ['a network set with host bits and a bare address (the cidr tag is not strict)', gns(['10.0.0.1/24', '192.0.2.7', 'fd00::/8'])],
    ['failsafe ports with TCP, UDP and SCTP, port 0 (Go test)', felix({ failsafeInboundHostPorts: [{ protocol: 'UDP', port: 0 }, { protocol: 'TCP', port: 22 }, { protocol: 'SCTP', port: 20 }] })],
    ['defaultEndpointToHostAction Drop (Go test)', felix({ defaultEndpointToHostAction: 'Drop' })],
    ['natOutgoingExclusions IPPoolsAndHostIPs', felix({ natOutgoingExclusions: 'IPPoolsAndHostIPs' })],
    ['a template with an RE2 pattern', template({ interfacePattern: '^(eth|ens)[0-9]+$', interfaceCIDRs: ['10.0.0.0/8'] })],
];

const REFUSED: readonly [string, CalicoObject, string][] = [
    // validateRule, validator.go:1394-1434
    ['IPv4 and IPv6 in one nets list (allow-loopback before the fix)', rule({ protocol: 'TCP', source: { nets: ['127.0.0.0/8', '::1/128'] } }), 'spec.ingress[0].source.nets: rule contains both IPv4 and IPv6 CIDRs (libcalico-go/lib/validator/v3/validator.go:1428 validateRule)'],
    ['IPv4 source and IPv6 destination (Go test)', rule({ protocol: 'TCP', source: { nets: ['10.0.0.0/8'] }, destination: { nets: ['fd00::/8'] } }), 'spec.ingress[0].destination.nets: rule contains both IPv4 and IPv6 CIDRs (libcalico-go/lib/validator/v3/validator.go:1428 validateRule)'],
    ['IPv6 nets with ipVersion 4 (Go test)', rule({ ipVersion: 4, destination: { nets: ['fd00::/8'] } }), "spec.ingress[0].destination.nets: rule IP version doesn't match CIDR version (libcalico-go/lib/validator/v3/validator.go:1423 validateRule)"],
    ['0.0.0.0/0 in notNets (Go test)', rule({ destination: { notNets: ['0.0.0.0/0'] } }), 'spec.ingress[0].destination.notNets[0]: catch-all CIDR in negation creates logical contradiction (matches no traffic) (libcalico-go/lib/validator/v3/validator.go:1416 validateRule)'],
    ['::/0 spelled 0:0:0::/0 in notNets (Go test)', rule({ source: { notNets: ['0:0:0::/0'] } }), 'spec.ingress[0].source.notNets[0]: catch-all CIDR in negation creates logical contradiction (matches no traffic) (libcalico-go/lib/validator/v3/validator.go:1416 validateRule)'],
    ['a bare address in rule nets', rule({ source: { nets: ['10.0.0.1'] } }), 'spec.ingress[0].source.nets[0]: "10.0.0.1": invalid CIDR (a rule net needs a prefix length) (libcalico-go/lib/validator/v3/validator.go:1403 validateRule)'],
    ['host bits in rule nets', rule({ source: { nets: ['10.0.0.1/24'] } }), 'spec.ingress[0].source.nets[0]: "10.0.0.1/24" is not a valid CIDR: it has host bits set (10.0.0.1 is not the first address of its /24 network) (rule nets are strictly masked networks) (libcalico-go/lib/validator/v3/validator.go:726 validateIPNetwork)'],
    // validateRule ports, validator.go:1330-1367; numorstring port.go
    ['a numeric port without a protocol', rule({ destination: { ports: [9091] } }), 'spec.ingress[0].destination.ports: rules with numeric port or port range must set protocol to TCP or UDP or SCTP (libcalico-go/lib/validator/v3/validator.go:1342 validateRule)'],
    ['ports with ICMP', rule({ protocol: 'ICMP', destination: { ports: [1] } }), 'spec.ingress[0].destination.ports: rules that specify ports must set protocol to TCP or UDP or SCTP (libcalico-go/lib/validator/v3/validator.go:1360 validateRule)'],
    ['ports with protocol 7 (Go test: "empty source ports and protocol type 7" accepts none)', rule({ protocol: 7, source: { ports: [1] } }), 'spec.ingress[0].source.ports: rules that specify ports must set protocol to TCP or UDP or SCTP (libcalico-go/lib/validator/v3/validator.go:1360 validateRule)'],
    ['port 0 in a range (Go test)', rule({ protocol: 'TCP', destination: { notPorts: ['0:100'] } }), 'spec.ingress[0].destination.notPorts[0]: port range invalid, port number must be between 1 and 65535 (libcalico-go/lib/validator/v3/validator.go:952 validatePort)'],
    ['a reversed range (Go test)', rule({ protocol: 'TCP', destination: { notPorts: ['200:100'] } }), 'spec.ingress[0].destination.notPorts[0]: minimum port number (200) is greater than maximum port number (100) in port range (api/pkg/lib/numorstring/port.go:56 PortFromRange)'],
    ['a port above 65535', rule({ protocol: 'TCP', destination: { ports: ['70000'] } }), 'spec.ingress[0].destination.ports[0]: invalid port format (70000) (api/pkg/lib/numorstring/port.go:74 PortFromString)'],
    // validateProtocol, validator.go:657-672
    ['protocol tcp in lower case', rule({ protocol: 'tcp' }), 'spec.ingress[0].protocol: "tcp": protocol name invalid (one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite, spelled so, or a number 1-255) (libcalico-go/lib/validator/v3/validator.go:669 validateProtocol)'],
    ['protocol 0', rule({ protocol: 0 }), 'spec.ingress[0].protocol: protocol number invalid (libcalico-go/lib/validator/v3/validator.go:665 validateProtocol)'],
    // ICMP, validator.go:1316-1392
    ['an ICMP code without a type', rule({ protocol: 'ICMP', icmp: { code: 1 } }), 'spec.ingress[0].icmp.code: ICMP code specified without an ICMP type (libcalico-go/lib/validator/v3/validator.go:1322 validateICMPFields)'],
    ['ICMP fields with TCP', rule({ protocol: 'TCP', icmp: { type: 8 } }), 'spec.ingress[0].icmp: rules that specify ICMP fields must set protocol to ICMP (libcalico-go/lib/validator/v3/validator.go:1381 validateRule)'],
    ['ICMPv6 with ipVersion 4 (Go test)', rule({ protocol: 'ICMPv6', ipVersion: 4 }), "spec.ingress[0].ipVersion: must set ipversion to '6' with protocol icmpv6 (libcalico-go/lib/validator/v3/validator.go:1392 validateRule)"],
    // validateAction, validator.go:342
    ['an action in lower case', rule({ action: 'allow' }), 'spec.ingress[0].action: "allow": the action is Allow, Deny, Log or Pass (libcalico-go/lib/validator/v3/validator.go:342 validateAction)'],
    // validateEntityRule, validator.go:1457-1475
    ['global() in an entity selector (Go test)', rule({ source: { selector: '  global()  ' } }), 'spec.ingress[0].source.selector: global() can only be used in an EntityRule namespaceSelector (libcalico-go/lib/validator/v3/validator.go:1461 validateEntityRule)'],
    ["global() AND'd with other expressions (Go test)", rule({ source: { namespaceSelector: ' global() && all()' } }), 'spec.ingress[0].source.namespaceSelector: global() cannot be combined with other selectors (libcalico-go/lib/validator/v3/validator.go:1473 validateEntityRule)'],
    ['a selector that does not parse', rule({ source: { selector: 'a ==' } }), 'spec.ingress[0].source.selector: "a ==" is not a valid selector'],
    // Policy specs, validator.go:1805-2083
    ['global() as the policy selector (Go test)', gnp({ selector: 'global()' }), 'spec.selector: global() can only be used in an EntityRule namespaceSelector (libcalico-go/lib/validator/v3/validator.go:2062 validateGlobalNetworkPolicySpec)'],
    ['a type twice', gnp({ types: ['Ingress', 'Ingress'] }), "spec.types: 'Ingress' type specified more than once (libcalico-go/lib/validator/v3/validator.go:2004 validateGlobalNetworkPolicySpec)"],
    ['preDNAT with egress rules', gnp({ preDNAT: true, applyOnForward: true, egress: [{ action: 'Allow' }] }), 'spec.egress: PreDNAT PolicySpec cannot have any Egress rules (libcalico-go/lib/validator/v3/validator.go:1982 validateGlobalNetworkPolicySpec)'],
    ['doNotTrack without applyOnForward', gnp({ doNotTrack: true }), 'spec.applyOnForward: ApplyOnForward must be true if either PreDNAT or DoNotTrack is true, for a given PolicySpec (libcalico-go/lib/validator/v3/validator.go:1996 validateGlobalNetworkPolicySpec)'],
    // Names, validator.go:1708-1736, 1864-1895, 2085-2115
    ['a name with mixed case (Go test)', gnp({}, 'tHiNg'), 'metadata.name: "tHiNg": name must consist of lower case alphanumeric characters'],
    ['a GlobalNetworkPolicy name with two dots', gnp({}, 'a.b.c'), 'metadata.name: "a.b.c": a GlobalNetworkPolicy name is lower case alphanumeric characters or \'-\', with at most one \'.\' (libcalico-go/lib/validator/v3/validator.go:2102 validateGlobalNetworkPolicy)'],
    ['a NetworkPolicy name of 254 characters', np({}, 'a'.repeat(254)), 'metadata.name: name is too long by 1 bytes (libcalico-go/lib/validator/v3/validator.go:1717 validateObjectMeta)'],
    ['a NetworkPolicy without a namespace', np({}, 'thing', null), 'metadata.namespace: is missing: a namespace is a DNS-1123 label'],
    ['a label value the API server refuses', { ...gnp({}), metadata: { name: 'thing', labels: { app: 'yes!' } } }, 'metadata.labels.app: "yes!" is not a valid label value'],
    // Network sets, validator.go:1940-1972 and the cidr tag (785)
    ['the namespace label on a GlobalNetworkSet', gns(['10.0.0.0/8'], { 'projectcalico.org/namespace': 'x' }), 'metadata.labels.projectcalico.org/namespace: projectcalico.org/namespace is not a valid label name (libcalico-go/lib/validator/v3/validator.go:1967 validateGlobalNetworkSet)'],
    ['a network set net that is no address', gns(['10.0.0.0/33']), 'spec.nets[0]: "10.0.0.0/33" has an invalid prefix length (libcalico-go/lib/validator/v3/validator.go:785 validateCIDR)'],
    // Host endpoints, validator.go:1145-1158 and hostendpoint.go tags
    ['a host endpoint with no interface and no IPs', hep({ node: 'node-1' }), 'spec.interfaceName: no interface or expected IPs have been specified (libcalico-go/lib/validator/v3/validator.go:1151 validateHostEndpointSpec)'],
    ['a host endpoint with no node', hep({ interfaceName: 'eth0' }), 'spec.node: no node has been specified (libcalico-go/lib/validator/v3/validator.go:1156 validateHostEndpointSpec)'],
    ['an interface name of 16 characters', hep({ node: 'node-1', interfaceName: 'a'.repeat(16) }), `spec.interfaceName: "${'a'.repeat(16)}" is not "*" or an interface name of 1-15 letters, digits, '_', '.' and '-' (libcalico-go/lib/validator/v3/validator.go:348 validateInterface)`],
    // hostendpoint.go:101 protocol without omitempty: missing reads as 0, which protocol.go:124-127 says has no ports
    ['a host endpoint port without protocol', hep({ node: 'node-1', interfaceName: 'eth0', ports: [{ name: 'metrics', port: 9091 }] }), 'spec.ports[0].protocol: EndpointPort protocol does not support ports. (protocol missing: it reads as 0) (libcalico-go/lib/validator/v3/validator.go:1662 validateEndpointPort)'],
    ['a host endpoint port over ICMP', hep({ node: 'node-1', interfaceName: 'eth0', ports: [{ name: 'metrics', protocol: 'ICMP', port: 9091 }] }), 'spec.ports[0].protocol: EndpointPort protocol does not support ports. (libcalico-go/lib/validator/v3/validator.go:1662 validateEndpointPort)'],
    ['an expected IP that is a network', hep({ node: 'node-1', expectedIPs: ['10.0.0.0/24'] }), 'spec.expectedIPs[0]: "10.0.0.0/24" is not a valid IP address: it is a network (CIDR), not a single address'],
    // The field names the item itself, past the valid ones.
    ['an expected IP that is a network, after a valid one', hep({ node: 'node-1', expectedIPs: ['10.0.0.1', '10.0.0.0/24'] }), 'spec.expectedIPs[1]: "10.0.0.0/24" is not a valid IP address'],
    ['an expected IP that is not a string', hep({ node: 'node-1', expectedIPs: ['10.0.0.1', 5] }), 'spec.expectedIPs[1]: 5 is not a string (the CRD schema)'],
    // FelixConfiguration, validator.go:1694-1706, 598; felixconfig.go:570
    ['a failsafe protocol in lower case', felix({ failsafeInboundHostPorts: [{ protocol: 'tcp', port: 22 }] }), "spec.failsafeInboundHostPorts[0].protocol: protocol must be 'TCP' or 'UDP' or 'SCTP'. (libcalico-go/lib/validator/v3/validator.go:1702 validateProtoPort)"],
    ['a random failsafe protocol (Go test)', felix({ failsafeOutboundHostPorts: [{ protocol: 'jolly-UDP', port: 0 }] }), "spec.failsafeOutboundHostPorts[0].protocol: protocol must be 'TCP' or 'UDP' or 'SCTP'. (libcalico-go/lib/validator/v3/validator.go:1702 validateProtoPort)"],
    ["defaultEndpointToHostAction 'drop' in lower case (Go test)", felix({ defaultEndpointToHostAction: 'drop' }), 'spec.defaultEndpointToHostAction: "drop" is not Drop, Accept or Return (case-sensitive) (libcalico-go/lib/validator/v3/validator.go:598 validateFelixEtoHAction)'],
    ['an unknown natOutgoingExclusions', felix({ natOutgoingExclusions: 'HostIPs' }), 'spec.natOutgoingExclusions: "HostIPs" is not IPPoolsOnly or IPPoolsAndHostIPs (api/pkg/apis/projectcalico/v3/felixconfig.go:570 FelixConfigurationSpec.NATOutgoingExclusions)'],
    // KubeControllersConfiguration, kubecontrollersconfig.go:152-188 and validator.go:420 (Go's regexp)
    ['interfacePattern [^] (no closing bracket in RE2)', template({ interfacePattern: '[^]' }), 'spec.controllers.node.hostEndpoint.templates[0].interfacePattern: error parsing regexp: missing closing ]: `[^]` (libcalico-go/lib/validator/v3/validator.go:420 validateRegexp)'],
    ['interfacePattern x{1001} (repeat count over 1000)', template({ interfacePattern: 'x{1001}' }), 'spec.controllers.node.hostEndpoint.templates[0].interfacePattern: error parsing regexp: invalid repeat count: `{1001}` (libcalico-go/lib/validator/v3/validator.go:420 validateRegexp)'],
    ['interfacePattern \\u0030 (no \\u escapes in RE2)', template({ interfacePattern: '\\u0030' }), 'spec.controllers.node.hostEndpoint.templates[0].interfacePattern: error parsing regexp: invalid escape sequence: `\\u` (libcalico-go/lib/validator/v3/validator.go:420 validateRegexp)'],
    ['autoCreate in lower case', { ...template({}), spec: { controllers: { node: { hostEndpoint: { autoCreate: 'enabled' } } } } }, 'spec.controllers.node.hostEndpoint.autoCreate: "enabled" is not Enabled or Disabled (api/pkg/apis/projectcalico/v3/kubecontrollersconfig.go:152 AutoHostEndpointConfig.AutoCreate)'],
];

describe('admit', () => {
  it.each(ACCEPTED)('can accept %s', (_title, object) => {
    expect(shown(admit([object], 'v3.32'))).toEqual([]);
  });

  it.each(REFUSED)('fails %s', (_title, object, expected) => {
    const found = shown(admit([object], 'v3.32'));
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((f) => f.startsWith(expected))).toBe(true);
  });

  it('names the object, its namespace and every violation of it', () => {
    const found = admit([np({ ingress: [{ action: 'Deny', protocol: 'tcp', source: { nets: ['10.0.0.0/8', 'fd00::/8'] } }] }, 'x', 'monitoring')], 'v3.32');
    expect(found.map((v) => v.object)).toEqual(['NetworkPolicy monitoring/x', 'NetworkPolicy monitoring/x']);
    expect(found.map((v) => v.field)).toEqual(['spec.ingress[0].protocol', 'spec.ingress[0].source.nets']);
  });

  it('fails a kind calico-shield never writes', () => {
    const found = admit([{ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'p' }, spec: {} }], 'v3.32');
    expect(shown(found)).toEqual(['kind: "IPPool" is not a kind calico-shield writes (calico-shield writes only policies, network sets, host endpoints and Felix and kube-controllers configuration)']);
  });
});

describe('goRegexpProblem', () => {
  // Go's regexp/syntax (RE2): what it refuses that JavaScript's RegExp accepts, and the reverse.
  it.each(['[^]', 'x{1001}', '\\u0030', '(?=a)', '(?!a)', '(?<=a)', '\\1', 'a**', '\\Z', '\\C'])('fails %s, which Go refuses', (pattern) => {
    expect(goRegexpProblem(pattern)).toMatch(/^error parsing regexp: /);
  });
  it.each(['^eth[0-9]+$', '(?i)ETH0', '\\Qa.b\\E', '[[:alpha:]]+', '\\pL', 'x{1000}', '(?P<n>eth)', '\\z'])('can accept %s, which Go accepts', (pattern) => {
    expect(goRegexpProblem(pattern)).toBeUndefined();
  });
});

// The rules are the same at v3.31.7 and v3.30.7 but for the ones test/calico/admission-versions.test.ts
// pins; every other case is accepted or refused alike, with the same words, citing that release's line.
describe.each(['v3.31', 'v3.30'] as const)('admit for Calico %s', (minor) => {
  // Before v3.32: ports need a protocol, named ones too; a default-tier policy name has 245
  // characters. v3.30 has no natOutgoingExclusions and no template interfacePattern.
  const DIFFERENT = new Set([
    'a named port without a protocol',
    'a NetworkPolicy name of 253 characters',
    ...(minor === 'v3.30' ? ['natOutgoingExclusions IPPoolsAndHostIPs', 'a template with an RE2 pattern', 'an unknown natOutgoingExclusions'] : []),
    ...(minor === 'v3.30' ? ['interfacePattern [^] (no closing bracket in RE2)', 'interfacePattern x{1001} (repeat count over 1000)', 'interfacePattern \\u0030 (no \\u escapes in RE2)'] : []),
  ]);
  /** `field: message`, without the cited source line. */
  const withoutCite = (f: string): string => /^([\s\S]*?) \((?:api\/|libcalico-go\/|k8s\.io|the |calico-shield )/.exec(f)?.[1] ?? f;

  it.each(ACCEPTED.filter(([title]) => !DIFFERENT.has(title)))('can accept %s', (_title, object) => {
    expect(shown(admit([object], minor))).toEqual([]);
  });

  it.each(ACCEPTED.filter(([title]) => DIFFERENT.has(title)))('fails %s, which v3.32 accepts', (_title, object) => {
    expect(admit([object], minor).length).toBeGreaterThan(0);
  });

  const refusedOtherwise = REFUSED.filter(([title]) => DIFFERENT.has(title));
  if (refusedOtherwise.length > 0) {
    it.each(refusedOtherwise)('fails %s, in its own words', (_title, object) => {
      expect(admit([object], minor).length).toBeGreaterThan(0);
    });
  }

  it.each(REFUSED.filter(([title]) => !DIFFERENT.has(title)))('fails %s, with the same words', (_title, object, expected) => {
    const found = shown(admit([object], minor));
    const v332 = shown(admit([object], 'v3.32'));
    expect(found.length).toBeGreaterThan(0);
    const same = (f: string): boolean => withoutCite(f) === withoutCite(expected) || withoutCite(expected).startsWith(withoutCite(f));
    // The numeric port rule is worded for ports of any kind before v3.32 (admission-versions.test.ts).
    if (expected.includes('rules with numeric port or port range')) expect(found.some((f) => f.includes('rules that specify ports must set protocol'))).toBe(true);
    else expect([found.some(same), found.map(withoutCite)]).toEqual([v332.some(same), v332.map(withoutCite)]);
  });
});
