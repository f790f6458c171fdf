/**
 * The cluster description after parsing and validation: plain, readonly data.
 *
 * Every string in here has passed calico-shield's validation (names, label keys and
 * values, IPs, CIDRs, ports), so later stages may build selectors and names from it.
 */

export type Approach = 'deny-list' | 'allow-list';
export type Protocol = 'TCP' | 'UDP';
export type Labels = Readonly<Record<string, string>>;

/** Where a field of the spec stands in its file: 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface ClusterSpec {
  /** The cluster's name: the file's base name, and metadata.name when given. */
  readonly name: string;
  /** The spec file, as given on the command line (for messages). */
  readonly file: string;
  /** Calico's minor version whose Felix defaults apply. */
  readonly calicoVersion: 'v3.32';
  readonly approach: Approach;
  /** Namespace of Calico's pods: `calico-system` for operator installs, `kube-system` for manifests. */
  readonly calicoNamespace: string;
  readonly nodes: readonly NodeSpec[];
  readonly metrics: MetricsSpec;
  readonly protectedServers: readonly ProtectedServerSpec[];
  readonly failsafe: FailsafeSpec;
  /** Position of every field by its path (`spec.nodes[0].name`), for findings of later stages. */
  readonly positions: ReadonlyMap<string, Position>;
}

export interface NodeSpec {
  readonly name: string;
  readonly path: string;
  readonly interfaces: readonly InterfaceSpec[];
}

export interface InterfaceSpec {
  /** A Linux interface name, or `*` for every interface of the node. */
  readonly name: string;
  readonly path: string;
  /** Canonical IPv4/IPv6 texts. */
  readonly expectedIPs: readonly string[];
}

export interface MetricsEndpointSpec {
  readonly port: number;
  readonly path: string;
}

export interface KubeControllersMetricsSpec extends MetricsEndpointSpec {
  /** Labels of the kube-controllers pods. */
  readonly podLabels: Labels;
}

export interface MetricsSpec {
  /** Label key whose value `"true"` grants access to the metrics ports. */
  readonly accessLabel: string;
  /** Networks allowed to scrape metrics, canonical CIDRs (→ GlobalNetworkSet). */
  readonly allowedNets: readonly string[];
  readonly calicoNode?: MetricsEndpointSpec;
  readonly typha?: MetricsEndpointSpec;
  readonly kubeControllers?: KubeControllersMetricsSpec;
}

/** Pods picked by labels, optionally in one namespace. */
export interface WorkloadSelectorSpec {
  readonly namespace?: string;
  readonly labels: Labels;
  readonly path: string;
}

export interface ProtectedServerSpec {
  readonly name: string;
  readonly path: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** Nodes where the server runs host-networked. */
  readonly nodes: readonly string[];
  /** Pods that run the server, when it is not host-networked. */
  readonly workloads: readonly WorkloadSelectorSpec[];
  readonly allowedClients: AllowedClientsSpec;
}

export interface AllowedClientsSpec {
  readonly workloads: readonly WorkloadSelectorSpec[];
  /** Nodes whose host-networked processes may connect (their HostEndpoints get the client label). */
  readonly nodes: readonly string[];
  /** Canonical CIDRs (→ GlobalNetworkSet). */
  readonly nets: readonly string[];
}

export interface FailsafePort {
  readonly protocol: Protocol;
  readonly port: number;
  /** Optional CIDR the failsafe entry is limited to. */
  readonly net?: string;
}

export interface FailsafeSpec {
  /** What Felix has now: Calico's defaults unless the spec says the cluster differs. */
  readonly inbound: readonly FailsafePort[];
  readonly outbound: readonly FailsafePort[];
}
