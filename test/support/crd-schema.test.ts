import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse, stringify } from 'yaml';
import { loadCrdValidators } from './crd-schema';

const calico = loadCrdValidators(join(__dirname, '..', '..', 'crds', 'calico-v3.32.1'));

/** A copy of `object` with the value at JSON pointer `pointer` replaced, or removed when `value` is undefined. */
function changed(object: unknown, pointer: string, value: unknown): unknown {
  const copy: unknown = structuredClone(object);
  const keys = pointer.split('/').slice(1).map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop() ?? '';
  const parent = keys.reduce((node, key) => (node as Record<string, unknown>)[key], copy) as Record<string, unknown>;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

// Resources from Calico's "Secure Calico Prometheus endpoints" and "Securing Calico's own
// communications" documents.
const defaultHostPolicy: unknown = parse(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: default-host
spec:
  selector: running-calico == "true"
  order: 5000
  ingress:
  - action: Allow
  egress:
  - action: Allow
`);

const hostEndpoint: unknown = parse(`
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata:
  name: kubeadm-master.eth0
  labels:
    running-calico: "true"
spec:
  node: kubeadm-master
  interfaceName: eth0
  expectedIPs:
  - 10.100.0.15
`);

const denyNodeMetrics: unknown = parse(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: restrict-calico-node-prometheus
spec:
  selector: running-calico == "true"
  order: 500
  types:
  - Ingress
  ingress:
  - action: Deny
    protocol: TCP
    source:
      notSelector: calico-prometheus-access == "true"
    destination:
      ports:
      - 9091
`);

const allowTyphaMetrics: unknown = parse(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: restrict-typha-prometheus
spec:
  selector: running-calico == "true"
  order: 500
  types:
  - Ingress
  ingress:
  - action: Allow
    protocol: TCP
    source:
      selector: calico-prometheus-access == "true"
    destination:
      ports:
      - 9093
`);

const denyKubeControllersMetrics: unknown = parse(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: restrict-kube-controllers-prometheus
  namespace: calico-system
spec:
  selector: k8s-app == "calico-kube-controllers"
  order: 500
  types:
  - Ingress
  ingress:
  - action: Deny
    protocol: TCP
    source:
      notSelector: calico-prometheus-access == "true"
    destination:
      ports:
      - 9094
`);

const prometheusSet: unknown = parse(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: calico-prometheus-set
  labels:
    calico-prometheus-access: "true"
spec:
  nets:
  - 172.15.0.0/24
  - 172.101.0.0/24
`);

const protectedServer: unknown = parse(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: protected-xyz-server
spec:
  selector: protected-xyz-server == "true"
  order: 500
  types:
  - Ingress
  ingress:
  - action: Deny
    protocol: TCP
    source:
      notSelector: has(allowed-xyz-client)
    destination:
      ports:
      - 2379
`);

// The document's pruned failsafeInboundHostPorts, inside the default FelixConfiguration.
const felixConfiguration: unknown = parse(`
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata:
  name: default
spec:
  failsafeInboundHostPorts:
  - protocol: TCP
    port: 22
  - protocol: UDP
    port: 68
  - protocol: TCP
    port: 179
  - protocol: TCP
    port: 2380
  - protocol: TCP
    port: 6666
  - protocol: TCP
    port: 6667
`);

describe('loadCrdValidators on the pinned Calico CRDs', () => {
  it('can list the kinds the CRDs define', () => {
    expect(calico.kinds).toEqual([
      'FelixConfiguration',
      'GlobalNetworkPolicy',
      'GlobalNetworkSet',
      'HostEndpoint',
      'KubeControllersConfiguration',
      'NetworkPolicy',
      'NetworkSet',
    ]);
  });

  it.each<[string, unknown]>([
    ['the default-allow GlobalNetworkPolicy', defaultHostPolicy],
    ['a HostEndpoint', hostEndpoint],
    ['the GlobalNetworkPolicy denying calico/node metrics', denyNodeMetrics],
    ['the GlobalNetworkPolicy allowing Typha metrics', allowTyphaMetrics],
    ['the NetworkPolicy denying kube-controllers metrics', denyKubeControllersMetrics],
    ['the GlobalNetworkSet of Prometheus servers', prometheusSet],
    ['the GlobalNetworkPolicy of a protected server', protectedServer],
    ['a FelixConfiguration with pruned failsafeInboundHostPorts', felixConfiguration],
    ['rule ports as numbers, ranges and named ports (int-or-string)', changed(denyNodeMetrics, '/spec/ingress/0/destination/ports', [9091, '9090:9099', 'metrics'])],
    ['a rule protocol given as a number (int-or-string)', changed(denyNodeMetrics, '/spec/ingress/0/protocol', 6)],
    ['a HostEndpoint named port', changed(hostEndpoint, '/spec/ports', [{ name: 'metrics', port: 9091, protocol: 'TCP' }])],
    ['Felix enum values in any case (RE2 (?i) patterns)', changed(felixConfiguration, '/spec/bpfLogLevel', 'debug')],
    ['an iptablesMarkMask beyond int32 (format: int32 is not enforced)', changed(felixConfiguration, '/spec/iptablesMarkMask', 0xffff0000)],
    ['label keys with a prefix', changed(hostEndpoint, '/metadata/labels/projectcalico.org~1zone', 'a')],
    ['annotations', changed(hostEndpoint, '/metadata/annotations', { 'calico-shield/source': 'cluster.yaml' })],
  ])('can validate %s', (_, object) => {
    expect(calico.validate(object)).toEqual([]);
  });

  it.each<[string, unknown, string, string]>([
    ['an unknown spec field', changed(defaultHostPolicy, '/spec/selectr', 'all()'), '/spec/selectr', 'unknown field "selectr"'],
    ['an unknown rule field', changed(denyNodeMetrics, '/spec/ingress/0/destination/port', 9091), '/spec/ingress/0/destination/port', 'unknown field "port"'],
    ['an unknown top-level field', changed(hostEndpoint, '/status', {}), '/status', 'unknown field "status"'],
    ['an unknown metadata field', changed(hostEndpoint, '/metadata/uid', 'abc'), '/metadata/uid', 'unknown field "uid": calico-shield writes only name, namespace, labels and annotations'],
    ['order as a string', changed(defaultHostPolicy, '/spec/order', '5000'), '/spec/order', '"5000" must be number; write it without quotes: 5000'],
    ['a HostEndpoint port above 65535', changed(hostEndpoint, '/spec/ports', [{ name: 'm', port: 70000, protocol: 'TCP' }]), '/spec/ports/0/port', '70000 must be <= 65535'],
    ['a HostEndpoint port 0', changed(hostEndpoint, '/spec/ports', [{ name: 'm', port: 0, protocol: 'TCP' }]), '/spec/ports/0/port', '0 must be >= 1'],
    ['a boolean label value', changed(hostEndpoint, '/metadata/labels/running-calico', true), '/metadata/labels/running-calico', 'true must be string; quote it: "true"'],
    ['a number label value under a prefixed key', changed(hostEndpoint, '/metadata/labels/projectcalico.org~1zone', 1), '/metadata/labels/projectcalico.org~1zone', '1 must be string'],
    ['a boolean annotation value', changed(hostEndpoint, '/metadata/annotations', { reviewed: false }), '/metadata/annotations/reviewed', 'false must be string'],
    ['the crd.projectcalico.org/v1 apiVersion', changed(hostEndpoint, '/apiVersion', 'crd.projectcalico.org/v1'), '/apiVersion', '"crd.projectcalico.org/v1" is not served for HostEndpoint; use "projectcalico.org/v3"'],
    ['a missing apiVersion', changed(hostEndpoint, '/apiVersion', undefined), '/apiVersion', 'apiVersion is missing'],
    ['an unknown kind', changed(defaultHostPolicy, '/kind', 'GlobalNetworkPolicies'), '/kind', 'unknown kind "GlobalNetworkPolicies"'],
    ['a missing kind', changed(defaultHostPolicy, '/kind', undefined), '/kind', 'kind is missing'],
    ['a lowercase action', changed(defaultHostPolicy, '/spec/ingress/0/action', 'allow'), '/spec/ingress/0/action', '"allow" is not one of Allow, Deny, Log, Pass. Did you mean "Allow"?'],
    ['an unknown policy type', changed(denyNodeMetrics, '/spec/types/0', 'Inbound'), '/spec/types/0', '"Inbound" is not one of Ingress, Egress'],
    ['a repeated policy type (list-type set)', changed(denyNodeMetrics, '/spec/types', ['Ingress', 'Ingress']), '/spec/types/1', '"Ingress" is listed twice'],
    ['a repeated net (list-type set)', changed(prometheusSet, '/spec/nets/1', '172.15.0.0/24'), '/spec/nets/1', '"172.15.0.0/24" is listed twice'],
    ['a boolean rule protocol (int-or-string)', changed(denyNodeMetrics, '/spec/ingress/0/protocol', true), '/spec/ingress/0/protocol', 'true must be integer or string'],
    ['a fractional rule port (int-or-string)', changed(denyNodeMetrics, '/spec/ingress/0/destination/ports/0', 90.5), '/spec/ingress/0/destination/ports/0', '90.5 must be integer or string'],
    ['a missing metadata.name', changed(hostEndpoint, '/metadata/name', undefined), '/metadata/name', 'required field "name" is missing'],
    ['an empty metadata.name', changed(hostEndpoint, '/metadata/name', ''), '/metadata/name', 'must NOT have fewer than 1 characters'],
    ['a missing metadata', changed(hostEndpoint, '/metadata', undefined), '/metadata', 'required field "metadata" is missing'],
    ['a missing spec', changed(prometheusSet, '/spec', undefined), '/spec', 'required field "spec" is missing'],
    ['a failsafe entry without port', changed(felixConfiguration, '/spec/failsafeInboundHostPorts/0/port', undefined), '/spec/failsafeInboundHostPorts/0/port', 'required field "port" is missing'],
    ['a failsafe port as a string', changed(felixConfiguration, '/spec/failsafeInboundHostPorts/0/port', '22'), '/spec/failsafeInboundHostPorts/0/port', 'write it without quotes: 22'],
    ['a Felix value outside its (?i) pattern', changed(felixConfiguration, '/spec/bpfLogLevel', 'Verbose'), '/spec/bpfLogLevel', '"Verbose" must match pattern'],
    ['an interfaceName longer than Linux allows', changed(hostEndpoint, '/spec/interfaceName', 'a-very-long-name0'), '/spec/interfaceName', 'must NOT have more than 15 characters'],
    ['a document that is not an object', 'kind: HostEndpoint', '', '"kind: HostEndpoint" is not a Kubernetes object'],
  ])('fails %s', (_, object, path, message) => {
    expect(calico.validate(object)).toEqual([{ path, message: expect.stringContaining(message) }]);
  });

  it('fails every unquoted label value of the HostEndpoint in "Securing Calico\'s own communications"', () => {
    // The document's labels, with its <node_name>/<interface_name> placeholders filled in.
    const unquoted: unknown = parse(`
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata:
  name: node-0-eth0
  labels:
    bl-default-allow: true
    protected-xyz-server: true
    protected-pqr-server: true
    allowed-abc-client: true
    allowed-def-client: true
spec:
  interfaceName: eth0
  node: node-0
  expectedIPs:
  - 10.0.0.1
`);
    expect(calico.validate(unquoted).map((violation) => violation.path)).toEqual([
      '/metadata/labels/bl-default-allow',
      '/metadata/labels/protected-xyz-server',
      '/metadata/labels/protected-pqr-server',
      '/metadata/labels/allowed-abc-client',
      '/metadata/labels/allowed-def-client',
    ]);
  });

  // What the schema lets through: CEL rules and constraints the CRDs do not declare.
  // calico-shield must check these itself.
  it.each<[string, unknown]>([
    ['a HostEndpoint without node (CEL rule "node must be specified")', changed(hostEndpoint, '/spec/node', undefined)],
    ['a preDNAT policy with egress rules (CEL rule)', changed(changed(defaultHostPolicy, '/spec/preDNAT', true), '/spec/applyOnForward', true)],
    ['a failsafe entry without protocol (the CRD requires only port)', changed(felixConfiguration, '/spec/failsafeInboundHostPorts/0/protocol', undefined)],
    ['a rule port above 65535 (rule ports are unbounded int-or-string)', changed(denyNodeMetrics, '/spec/ingress/0/destination/ports/0', 70000)],
    ['a NetworkPolicy without namespace', changed(denyKubeControllersMetrics, '/metadata/namespace', undefined)],
  ])('can pass the schema with %s', (_, object) => {
    expect(calico.validate(object)).toEqual([]);
  });
});

describe('loadCrdValidators on the Kubernetes schema extensions', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function crdDir(...crds: unknown[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'calico-shield-crds-'));
    dirs.push(dir);
    crds.forEach((crd, i) => writeFileSync(join(dir, `crd-${i}.yaml`), stringify(crd)));
    return dir;
  }

  /** A CRD in Calico's group whose v3 spec has `properties`; v2 is defined but not served. */
  function probeCrd(properties: Record<string, unknown>, kind = 'SchemaProbe'): unknown {
    const schema = (spec: unknown) => ({
      openAPIV3Schema: {
        type: 'object',
        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec },
      },
    });
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${kind.toLowerCase()}s.projectcalico.org` },
      spec: {
        group: 'projectcalico.org',
        names: { kind, plural: `${kind.toLowerCase()}s` },
        scope: 'Cluster',
        versions: [
          { name: 'v2', served: false, storage: false, schema: schema({ type: 'object' }) },
          { name: 'v3', served: true, storage: true, schema: schema({ type: 'object', properties }) },
        ],
      },
    };
  }

  const probe = loadCrdValidators(
    crdDir(
      probeCrd({
        intOrString: { 'x-kubernetes-int-or-string': true },
        typedIntOrString: { type: 'integer', 'x-kubernetes-int-or-string': true },
        open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { name: { type: 'string' } } },
        anything: { 'x-kubernetes-preserve-unknown-fields': true, nullable: true },
        maybe: { type: 'string', nullable: true },
        text: { type: 'string' },
        flags: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'boolean' } },
        tags: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: { type: 'object', required: ['port', 'protocol'], properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
        },
        since: { type: 'string', format: 'date-time' },
        mask: { type: 'integer', format: 'int64' },
        choice: {
          type: 'object',
          properties: { a: { type: 'string' }, b: { type: 'string' } },
          allOf: [{ properties: { a: { maxLength: 3 } } }],
        },
        checked: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self != ""', message: 'must not be empty' }] },
      }),
    ),
  );

  const probeOf = (spec: Record<string, unknown>): unknown => ({
    apiVersion: 'projectcalico.org/v3',
    kind: 'SchemaProbe',
    metadata: { name: 'probe' },
    spec,
  });

  it.each<[string, Record<string, unknown>]>([
    ['an integer for int-or-string', { intOrString: 8080 }],
    ['a string for int-or-string', { intOrString: 'http' }],
    ['a string for int-or-string declared type: integer', { typedIntOrString: 'http' }],
    ['undeclared fields under preserve-unknown-fields', { open: { name: 'a', extra: { deep: [1] } } }],
    ['anything under a typeless preserve-unknown-fields', { anything: [1, 'two'] }],
    ['null under a typeless nullable field', { anything: null }],
    ['null for a nullable field', { maybe: null }],
    ['an atomic map', { flags: { a: true } }],
    ['repeated items in an atomic list', { tags: ['a', 'a'] }],
    ['list-type map items that differ in one key', { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }],
    ['an RFC 3339 date-time', { since: '2024-02-29T23:59:59.5+01:00' }],
    ['any integer for format int64', { mask: 2 ** 53 - 1 }],
    ['fields an allOf branch does not list', { choice: { a: 'x', b: 'y' } }],
    ['a value a CEL rule would reject (not evaluated)', { checked: '' }],
  ])('can accept %s', (_, spec) => {
    expect(probe.validate(probeOf(spec))).toEqual([]);
  });

  it.each<[string, unknown, string, string]>([
    ['a boolean for int-or-string', probeOf({ intOrString: true }), '/spec/intOrString', 'true must be integer or string'],
    ['a declared field of the wrong type under preserve-unknown-fields', probeOf({ open: { name: 5 } }), '/spec/open/name', '5 must be string'],
    ['null for a field that is not nullable', probeOf({ text: null }), '/spec/text', 'null must be string'],
    ['a wrong value type in a map', probeOf({ flags: { a: 'yes' } }), '/spec/flags/a', '"yes" must be boolean'],
    ['list-type map items with the same keys', probeOf({ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'UDP' }] }), '/spec/ports/1', 'repeats the port, protocol of an earlier item'],
    ['a date that does not exist', probeOf({ since: '2023-02-29T00:00:00Z' }), '/spec/since', 'must match format "date-time"'],
    ['a date-time without zone', probeOf({ since: '2024-01-01T00:00:00' }), '/spec/since', 'must match format "date-time"'],
    ['an allOf branch constraint', probeOf({ choice: { a: 'long' } }), '/spec/choice/a', '"long" must NOT have more than 3 characters'],
    ['an unknown field next to declared ones', probeOf({ choice: { c: 'x' } }), '/spec/choice/c', 'unknown field "c"'],
    ['a version that is not served', { ...(probeOf({}) as Record<string, unknown>), apiVersion: 'projectcalico.org/v2' }, '/apiVersion', 'use "projectcalico.org/v3"'],
  ])('fails %s', (_, object, path, message) => {
    expect(probe.validate(object)).toEqual([{ path, message: expect.stringContaining(message) }]);
  });

  it.each<[string, unknown[], RegExp]>([
    ['an extension it does not handle', [probeCrd({ raw: { type: 'object', 'x-kubernetes-embedded-resource': true } })], /does not handle x-kubernetes-embedded-resource/],
    ['a format it does not know', [probeCrd({ id: { type: 'string', format: 'uuid' } })], /does not know format "uuid"/],
    ['an RE2 pattern JavaScript cannot read', [probeCrd({ port: { type: 'string', pattern: '^(?P<port>[0-9]+)$' } })], /Invalid regular expression/],
    ['a file that is not a CustomResourceDefinition', [{ apiVersion: 'v1', kind: 'ConfigMap' }], /expected an apiextensions.k8s.io\/v1 CustomResourceDefinition/],
    ['a kind defined twice', [probeCrd({}), probeCrd({})], /kind SchemaProbe is defined twice/],
  ])('fails to load %s', (_, crds, error) => {
    const dir = crdDir(...crds);
    expect(() => loadCrdValidators(dir)).toThrow(error);
  });
});
