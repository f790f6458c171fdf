/**
 * Host paths a Kubernetes node running Calico usually needs, as data: the probe flows
 * calico-shield evaluates in the allow-list approach, where a host endpoint denies all traffic
 * that no policy allows (failsafe ports aside), to say which of them the default deny cuts.
 *
 * Which of them a cluster really uses depends on its installation (overlay, encryption,
 * Typha, where etcd runs), so calico-shield reports them and never opens them by itself.
 */

export type EssentialDirection = 'inbound' | 'outbound';

export interface EssentialHostPath {
  /** Stable id, e.g. `kubelet-api`. */
  readonly id: string;
  /** Name in messages, e.g. `kubelet API`. */
  readonly name: string;
  readonly protocol: 'TCP' | 'UDP';
  /** The first port of the path. */
  readonly port: number;
  /** The last port, for a range. @default - the path uses `port` only */
  readonly endPort?: number;
  /** `inbound`: connections to the node; `outbound`: connections the node opens. */
  readonly directions: readonly EssentialDirection[];
  /** What uses the path. */
  readonly usedBy: string;
  /** Where the port is documented. */
  readonly source: string;
}

const K8S_PORTS = 'https://kubernetes.io/docs/reference/networking/ports-and-protocols/';
const CALICO_REQUIREMENTS = 'https://docs.tigera.io/calico/latest/getting-started/kubernetes/requirements#network-requirements';
const BOTH: readonly EssentialDirection[] = ['inbound', 'outbound'];

/** Ordered by port, so messages list them in a stable order. */
export const ESSENTIAL_HOST_PATHS: readonly EssentialHostPath[] = [
  { id: 'dns', name: 'DNS', protocol: 'UDP', port: 53, directions: ['outbound'], usedBy: 'name resolution of host processes', source: 'https://www.rfc-editor.org/rfc/rfc1035#section-4.2.1' },
  { id: 'dns-tcp', name: 'DNS over TCP', protocol: 'TCP', port: 53, directions: ['outbound'], usedBy: 'DNS answers too large for UDP', source: 'https://www.rfc-editor.org/rfc/rfc7766#section-5' },
  { id: 'bgp', name: 'BGP', protocol: 'TCP', port: 179, directions: BOTH, usedBy: 'Calico networking with BGP between nodes', source: CALICO_REQUIREMENTS },
  { id: 'etcd', name: 'etcd', protocol: 'TCP', port: 2379, endPort: 2380, directions: BOTH, usedBy: 'the API server and etcd peers on control-plane nodes', source: K8S_PORTS },
  { id: 'vxlan', name: 'VXLAN', protocol: 'UDP', port: 4789, directions: BOTH, usedBy: 'Calico networking with VXLAN', source: CALICO_REQUIREMENTS },
  { id: 'typha', name: 'Typha', protocol: 'TCP', port: 5473, directions: BOTH, usedBy: 'calico-node connecting to Typha', source: CALICO_REQUIREMENTS },
  { id: 'kube-apiserver', name: 'Kubernetes API server', protocol: 'TCP', port: 6443, directions: BOTH, usedBy: 'kubelet, kube-proxy and calico-node on every node', source: K8S_PORTS },
  { id: 'kubelet-api', name: 'kubelet API', protocol: 'TCP', port: 10250, directions: BOTH, usedBy: 'the API server (logs, exec, port-forward, metrics)', source: K8S_PORTS },
  { id: 'node-ports', name: 'NodePort Services', protocol: 'TCP', port: 30000, endPort: 32767, directions: ['inbound'], usedBy: 'clients of NodePort Services', source: K8S_PORTS },
  { id: 'wireguard', name: 'WireGuard (IPv4)', protocol: 'UDP', port: 51820, directions: BOTH, usedBy: 'Calico encryption with WireGuard', source: CALICO_REQUIREMENTS },
  { id: 'wireguard-ipv6', name: 'WireGuard (IPv6)', protocol: 'UDP', port: 51821, directions: BOTH, usedBy: 'Calico encryption with WireGuard over IPv6', source: CALICO_REQUIREMENTS },
];
