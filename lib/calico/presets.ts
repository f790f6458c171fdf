/**
 * The host traffic a Kubernetes node running Calico needs, as data: ONE list of host paths,
 * each with the role of the nodes it concerns, its direction and the page that documents it.
 *
 * In the allow-list approach a host endpoint denies all traffic no policy allows, in both
 * directions, Felix's failsafe ports aside. calico-shield uses this list twice:
 *
 * - `spec.hostTraffic.presets` names presets; each becomes a GlobalNetworkPolicy
 *   `allow-<preset>` that allows its paths (lib/plan/host-traffic.ts);
 * - the verify stage probes every path on the emitted objects and the `host-traffic-cut`
 *   guard rail names the ones the default deny cuts (lib/calico/essentials.ts is the probe
 *   view of this list).
 *
 * docs/presets.md shows this list; test/plan/host-traffic.test.ts keeps the two equal.
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/hosts/protect-hosts
 */

/**
 * The label kube-controllers puts on every host endpoint it creates, and its value: how policies
 * find the automatic host endpoints, which carry no other label but the node's.
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/hosts/kubernetes-nodes#automatic-host-endpoints
 */
export const CREATED_BY_LABEL = 'projectcalico.org/created-by';
export const KUBE_CONTROLLERS = 'calico-kube-controllers';

/** The control plane's nodes, unless `spec.hostTraffic.controlPlane` says otherwise: kubeadm's label. */
export const CONTROL_PLANE_LABELS: Readonly<Record<string, string>> = { 'node-role.kubernetes.io/control-plane': '' };

/** The nodes a path concerns: every node, or the control plane (`spec.hostTraffic.controlPlane`). */
export type HostRole = 'nodes' | 'control-plane';

/** Who is at the other end of a path. */
export type HostPeer = 'nodes' | 'control-plane' | 'nodes-and-pods' | 'pods' | 'anywhere';

/** Connections to the nodes of `on`, from `from`. */
export interface InboundLeg {
  readonly on: HostRole;
  readonly from: HostPeer;
}

/** Connections the nodes of `on` open, to `to`. */
export interface OutboundLeg {
  readonly on: HostRole;
  readonly to: Exclude<HostPeer, 'nodes-and-pods'>;
}

/** The id of the Kubernetes API server's path, whose port comes from `spec.environment.apiServer`. */
export const API_SERVER_PATH = 'kube-apiserver';

/** Presets, in the order docs/presets.md lists them. */
export const PRESET_IDS = [
  'api-server',
  'kubelet',
  'etcd',
  'dns',
  'calico-health',
  'loopback',
  'bgp',
  'ipip',
  'vxlan',
  'wireguard',
  'typha',
  'node-ports',
  'webhooks',
  'kube-proxy',
] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** IPv4 and IPv6 loopback networks: traffic a host sends to itself over `lo`. */
export const LOOPBACK_NETS: readonly string[] = ['127.0.0.0/8', '::1/128'];

export interface HostPath {
  /** Stable id, e.g. `kubelet-api`. */
  readonly id: string;
  readonly preset: PresetId;
  /** Name in messages, e.g. `kubelet API`. */
  readonly name: string;
  /** `IPIP`: IP protocol 4, which has no ports. */
  readonly protocol: 'TCP' | 'UDP' | 'IPIP';
  /** The first port of the path. @default - none: IP-in-IP has no ports */
  readonly port?: number;
  /** The last port, for a range. @default - the path uses `port` only */
  readonly endPort?: number;
  /** Ports probed on a wide range. @default - `port` and `endPort` */
  readonly probePorts?: readonly number[];
  readonly inbound?: InboundLeg;
  readonly outbound?: OutboundLeg;
  /**
   * Traffic a node sends to itself over the loopback addresses. Only host endpoints with
   * `interfaceName: "*"` police it: the automatic host endpoints do, named ones do not.
   *
   * @default - not a local path
   * @see https://github.com/projectcalico/calico/issues/4478
   */
  readonly local?: HostRole;
  /** What uses the path. */
  readonly usedBy: string;
  /** Where the path is documented. */
  readonly source: string;
}

export interface HostTrafficPreset {
  readonly id: PresetId;
  readonly title: string;
  /** `always`: every Kubernetes node needs it; `depends`: only some installations do (`when` says which). */
  readonly needed: 'always' | 'depends';
  readonly when: string;
}

const K8S_PORTS = 'https://kubernetes.io/docs/reference/networking/ports-and-protocols/';
const CALICO_REQUIREMENTS = 'https://docs.tigera.io/calico/latest/getting-started/kubernetes/requirements#network-requirements';
const ISSUE_4478 = 'https://github.com/projectcalico/calico/issues/4478';

export const PRESETS: readonly HostTrafficPreset[] = [
  { id: 'api-server', title: 'Kubernetes API server', needed: 'always', when: 'every cluster: kubelet, kube-proxy and calico-node call it from every node, pods through the kubernetes Service' },
  { id: 'kubelet', title: 'kubelet API', needed: 'always', when: 'every cluster: the API server calls the kubelet for logs, exec, port-forward and metrics' },
  { id: 'etcd', title: 'etcd', needed: 'always', when: 'etcd on the control-plane nodes (kubeadm, stacked etcd): the API server and the etcd peers' },
  { id: 'dns', title: 'DNS', needed: 'always', when: 'every node resolves names' },
  { id: 'calico-health', title: 'Felix and Typha health', needed: 'always', when: 'host endpoints with interfaceName "*" (all automatic host endpoints): the health checks of calico-node and Typha run over loopback' },
  { id: 'loopback', title: 'Loopback', needed: 'always', when: 'host endpoints with interfaceName "*": every process that talks to another on the same node over 127.0.0.1 or ::1 (kubelet probes of host-networked pods, a local DNS stub)' },
  { id: 'bgp', title: 'BGP', needed: 'depends', when: 'Calico networking with BGP (the default of manifest installs; not with VXLAN-only pools and the BGP backend disabled)' },
  { id: 'ipip', title: 'IP-in-IP', needed: 'depends', when: 'IP pools with ipipMode Always or CrossSubnet' },
  { id: 'vxlan', title: 'VXLAN', needed: 'depends', when: 'IP pools with vxlanMode Always or CrossSubnet' },
  { id: 'wireguard', title: 'WireGuard', needed: 'depends', when: 'Calico encryption with WireGuard enabled' },
  { id: 'typha', title: 'Typha', needed: 'depends', when: 'Typha deployed (operator installs, and manifest installs with more than 50 nodes)' },
  { id: 'node-ports', title: 'NodePort Services', needed: 'depends', when: 'Services of type NodePort or LoadBalancer reached on the nodes' },
  { id: 'webhooks', title: 'Control plane to pods', needed: 'always', when: 'every cluster: the API server calls admission webhooks and aggregated APIs in pods (calico-apiserver, which serves projectcalico.org/v3, metrics-server, cert-manager…)' },
  { id: 'kube-proxy', title: 'kube-proxy health', needed: 'depends', when: 'load balancers that check kube-proxy on the nodes (Services with externalTrafficPolicy: Local)' },
];

/** Ordered by port, wide ranges and IP-in-IP last, so messages list them in a stable order. */
export const HOST_PATHS: readonly HostPath[] = [
  { id: 'dns', preset: 'dns', name: 'DNS', protocol: 'UDP', port: 53, outbound: { on: 'nodes', to: 'anywhere' }, usedBy: 'name resolution of host processes', source: 'https://www.rfc-editor.org/rfc/rfc1035#section-4.2.1' },
  { id: 'dns-tcp', preset: 'dns', name: 'DNS over TCP', protocol: 'TCP', port: 53, outbound: { on: 'nodes', to: 'anywhere' }, usedBy: 'DNS answers too large for UDP', source: 'https://www.rfc-editor.org/rfc/rfc7766#section-5' },
  { id: 'bgp', preset: 'bgp', name: 'BGP', protocol: 'TCP', port: 179, inbound: { on: 'nodes', from: 'nodes' }, outbound: { on: 'nodes', to: 'nodes' }, usedBy: 'Calico networking with BGP between nodes', source: CALICO_REQUIREMENTS },
  { id: 'etcd', preset: 'etcd', name: 'etcd', protocol: 'TCP', port: 2379, endPort: 2380, inbound: { on: 'control-plane', from: 'control-plane' }, outbound: { on: 'control-plane', to: 'control-plane' }, usedBy: 'the API server and etcd peers on control-plane nodes', source: K8S_PORTS },
  { id: 'vxlan', preset: 'vxlan', name: 'VXLAN', protocol: 'UDP', port: 4789, inbound: { on: 'nodes', from: 'nodes' }, outbound: { on: 'nodes', to: 'nodes' }, usedBy: 'Calico networking with VXLAN', source: CALICO_REQUIREMENTS },
  { id: 'typha', preset: 'typha', name: 'Typha', protocol: 'TCP', port: 5473, inbound: { on: 'nodes', from: 'nodes' }, outbound: { on: 'nodes', to: 'nodes' }, usedBy: 'calico-node connecting to Typha', source: CALICO_REQUIREMENTS },
  { id: API_SERVER_PATH, preset: 'api-server', name: 'Kubernetes API server', protocol: 'TCP', port: 6443, inbound: { on: 'control-plane', from: 'nodes-and-pods' }, outbound: { on: 'nodes', to: 'anywhere' }, usedBy: 'kubelet, kube-proxy and calico-node on every node (the port is spec.environment.apiServer.port: 6443 by default, 443 on managed control planes)', source: K8S_PORTS },
  { id: 'typha-health', preset: 'calico-health', name: 'Typha health', protocol: 'TCP', port: 9098, local: 'nodes', usedBy: "Typha's liveness and readiness checks on localhost", source: 'https://docs.tigera.io/calico/latest/reference/typha/configuration' },
  { id: 'felix-health', preset: 'calico-health', name: 'Felix health', protocol: 'TCP', port: 9099, local: 'nodes', usedBy: "calico-node's liveness and readiness checks on localhost", source: 'https://docs.tigera.io/calico/latest/reference/felix/configuration' },
  { id: 'kubelet-api', preset: 'kubelet', name: 'kubelet API', protocol: 'TCP', port: 10250, inbound: { on: 'nodes', from: 'nodes-and-pods' }, outbound: { on: 'control-plane', to: 'nodes' }, usedBy: 'the API server (logs, exec, port-forward), metrics-server and Prometheus in pods (arriving as their node where pod traffic is masqueraded)', source: K8S_PORTS },
  { id: 'kube-proxy-health', preset: 'kube-proxy', name: 'kube-proxy health', protocol: 'TCP', port: 10256, inbound: { on: 'nodes', from: 'anywhere' }, usedBy: "load balancers' health checks of kube-proxy", source: K8S_PORTS },
  { id: 'node-ports', preset: 'node-ports', name: 'NodePort Services', protocol: 'TCP', port: 30000, endPort: 32767, inbound: { on: 'nodes', from: 'anywhere' }, usedBy: 'clients of NodePort Services', source: K8S_PORTS },
  { id: 'node-ports-udp', preset: 'node-ports', name: 'NodePort Services (UDP)', protocol: 'UDP', port: 30000, endPort: 32767, inbound: { on: 'nodes', from: 'anywhere' }, usedBy: 'clients of UDP NodePort Services', source: K8S_PORTS },
  { id: 'wireguard', preset: 'wireguard', name: 'WireGuard (IPv4)', protocol: 'UDP', port: 51820, inbound: { on: 'nodes', from: 'nodes' }, outbound: { on: 'nodes', to: 'nodes' }, usedBy: 'Calico encryption with WireGuard', source: CALICO_REQUIREMENTS },
  { id: 'wireguard-ipv6', preset: 'wireguard', name: 'WireGuard (IPv6)', protocol: 'UDP', port: 51821, inbound: { on: 'nodes', from: 'nodes' }, outbound: { on: 'nodes', to: 'nodes' }, usedBy: 'Calico encryption with WireGuard over IPv6', source: CALICO_REQUIREMENTS },
  { id: 'control-plane-to-pods', preset: 'webhooks', name: 'control plane to pods', protocol: 'TCP', port: 1, endPort: 65535, probePorts: [443, 5443, 8443, 9443], outbound: { on: 'control-plane', to: 'pods' }, usedBy: 'the API server calling admission webhooks and aggregated APIs in pods (calico-apiserver on 5443)', source: 'https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/' },
  { id: 'loopback-tcp', preset: 'loopback', name: 'loopback TCP', protocol: 'TCP', port: 1, endPort: 65535, probePorts: [2381, 10257, 10259], local: 'nodes', usedBy: 'kubelet probes of host-networked pods on 127.0.0.1 (etcd 2381, kube-controller-manager 10257, kube-scheduler 10259), the API server calling etcd on 127.0.0.1', source: ISSUE_4478 },
  { id: 'loopback-udp', preset: 'loopback', name: 'loopback UDP', protocol: 'UDP', port: 1, endPort: 65535, probePorts: [53], local: 'nodes', usedBy: 'a local DNS stub resolver (on 127.0.0.53, say)', source: ISSUE_4478 },
  { id: 'ipip', preset: 'ipip', name: 'IP-in-IP', protocol: 'IPIP', inbound: { on: 'nodes', from: 'nodes' }, outbound: { on: 'nodes', to: 'nodes' }, usedBy: 'Calico networking with IP-in-IP (IP protocol 4)', source: CALICO_REQUIREMENTS },
];

export function presetOf(id: PresetId): HostTrafficPreset {
  const preset = PRESETS.find((p) => p.id === id);
  if (preset === undefined) throw new Error(`unknown host traffic preset ${id}`);
  return preset;
}

/**
 * The host paths of a cluster: HOST_PATHS with the API server's port taken from the spec's
 * environment (6443 for kubeadm, 443 on managed control planes, where nodes call the API
 * endpoint directly and pods reach it through the kubernetes Service, DNATed on their own node
 * to this port before any host endpoint policy sees it). With an API endpoint outside the
 * nodes (`address`), no node serves it: the path is outbound only.
 */
export function hostPaths(apiServer: { readonly port: number; readonly address?: string }): readonly HostPath[] {
  if (apiServer.port === 6443 && apiServer.address === undefined) return HOST_PATHS;
  return HOST_PATHS.map((p) => {
    if (p.id !== API_SERVER_PATH) return p;
    if (apiServer.address === undefined) return { ...p, port: apiServer.port };
    const { inbound, ...outboundOnly } = p;
    return { ...outboundOnly, port: apiServer.port };
  });
}
