/**
 * The cluster description after parsing and validation: plain, readonly data.
 *
 * Every string in here has passed calico-shield's validation (names, label keys and
 * values, IPs, CIDRs, ports), so later stages may build selectors and names from it.
 */

import type { PresetId } from '../calico/presets';
import type { EndpointToHostAction } from '../calico/felix';
import type { CalicoMinor } from '../calico/versions';

export type Approach = 'deny-list' | 'allow-list';
/** Who creates the host endpoints: calico-shield (`static`) or Calico's kube-controllers (`auto`). */
export type HostEndpointsMode = 'static' | 'auto';
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
  /** The cluster's Calico minor: its fields, Felix defaults and rules apply (lib/calico/versions.ts). @default v3.32 */
  readonly calicoVersion: CalicoMinor;
  readonly approach: Approach;
  /** Namespace of Calico's pods: `calico-system` for operator installs, `kube-system` for manifests. */
  readonly calicoNamespace: string;
  readonly hostEndpoints: HostEndpointsSpec;
  readonly nodes: readonly NodeSpec[];
  readonly metrics: MetricsSpec;
  readonly protectedServers: readonly ProtectedServerSpec[];
  readonly failsafe: FailsafeSpec;
  /** Allow-list only: the presets of host traffic to allow. @default - none */
  readonly hostTraffic?: HostTrafficSpec;
  /** The cluster the objects land on: install, IP pools and NAT, encapsulation, API endpoint. */
  readonly environment: EnvironmentSpec;
  /** Findings the spec accepts on purpose, each with its reason (shown in ACCESS.md). @default - none */
  readonly acknowledge: readonly AcknowledgeSpec[];
  /** Position of every field by its path (`spec.nodes[0].name`), for findings of later stages. */
  readonly positions: Positions;
}

/** Positions by field path, worked out when asked for: few findings, many fields. */
export interface Positions extends Iterable<[string, Position]> {
  get(path: string): Position | undefined;
  has(path: string): boolean;
}

export interface NodeSpec {
  readonly name: string;
  readonly path: string;
  /**
   * The node's Kubernetes labels. Static mode copies them onto the node's host endpoints;
   * auto mode reads them as kube-controllers copies them onto the automatic host endpoint.
   */
  readonly labels: Labels;
  readonly interfaces: readonly InterfaceSpec[];
}

/**
 * `spec.hostEndpoints`.
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/hosts/kubernetes-nodes
 */
export interface HostEndpointsSpec {
  readonly mode: HostEndpointsMode;
  /** Auto mode only: more host endpoints per node, made by kube-controllers. */
  readonly templates: readonly HostEndpointTemplateSpec[];
}

/**
 * One entry of KubeControllersConfiguration `spec.controllers.node.hostEndpoint.templates`.
 *
 * @see https://docs.tigera.io/calico/latest/reference/resources/kubecontrollersconfig
 */
export interface HostEndpointTemplateSpec {
  /** Appended to the node's name: `<node>-<generateName>-auto-hep`. */
  readonly generateName: string;
  /** Labels of the nodes the template applies to. @default - every node */
  readonly nodeSelector: Labels;
  /** Canonical CIDRs: the node addresses that become the host endpoint's expectedIPs. */
  readonly interfaceCIDRs: readonly string[];
  /** A regular expression over the node's interface names: one host endpoint per match. */
  readonly interfacePattern?: string;
  /** Labels added to the host endpoints (over the node's). */
  readonly labels: Labels;
  readonly path: string;
}

/** `spec.hostTraffic`: host paths to allow in the allow-list approach (docs/presets.md). */
export interface HostTrafficSpec {
  readonly presets: readonly PresetId[];
  /** Labels of the control-plane nodes. @default {"node-role.kubernetes.io/control-plane": ""} */
  readonly controlPlane: Labels;
  readonly path: string;
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
  /**
   * Nodes where the server runs host-networked: the ones named, and those of spec.nodes that
   * `nodeSelector` selects.
   */
  readonly nodes: readonly string[];
  /** Labels of the nodes where the server runs host-networked. @default - none */
  readonly nodeSelector?: Labels;
  /** Pods that run the server, when it is not host-networked. */
  readonly workloads: readonly WorkloadSelectorSpec[];
  readonly allowedClients: AllowedClientsSpec;
}

export interface AllowedClientsSpec {
  readonly workloads: readonly WorkloadSelectorSpec[];
  /**
   * Nodes whose host-networked processes may connect (in static mode their HostEndpoints get
   * the client label): the ones named, and those of spec.nodes that `nodeSelector` selects.
   */
  readonly nodes: readonly string[];
  /** Labels of the nodes whose host-networked processes may connect. @default - none */
  readonly nodeSelector?: Labels;
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

/** How Calico was installed: by the Tigera operator, or from Calico's manifests. */
export type InstallFlavour = 'operator' | 'manifests';
/** The encapsulation of the IP pools: how pod traffic crosses nodes. */
export type Encapsulation = 'IPIP' | 'VXLAN' | 'None';
/** FelixConfiguration `natOutgoingExclusions`: which destinations are not masqueraded. */
export type NatOutgoingExclusions = 'IPPoolsOnly' | 'IPPoolsAndHostIPs';

export interface IpPoolSpec {
  /** Canonical CIDR. */
  readonly cidr: string;
  /** Felix masquerades the pool's traffic to destinations outside every pool. */
  readonly natOutgoing: boolean;
}

/**
 * `spec.environment`: what calico-shield cannot see in its own objects but Felix's verdict
 * depends on. The defaults are a kubeadm cluster installed by the Tigera operator.
 *
 * @see docs/spec.md#environment
 */
export interface EnvironmentSpec {
  /** @default 'operator' */
  readonly install: InstallFlavour;
  /** @default - the operator's default pool 192.168.0.0/16 with natOutgoing */
  readonly ipPools: readonly IpPoolSpec[];
  /**
   * The value in force. `IPPoolsAndHostIPs` is written into FelixConfiguration `default`.
   *
   * @default 'IPPoolsOnly' - Felix's default
   */
  readonly natOutgoingExclusions: NatOutgoingExclusions;
  /** @default 'IPIP' - the operator's default for IPv4 pools with Calico networking */
  readonly encapsulation: Encapsulation;
  /** @default false */
  readonly wireguard: boolean;
  /**
   * calico-node's FELIX_DEFAULTENDPOINTTOHOSTACTION, which outranks every FelixConfiguration:
   * what happens to a pod's traffic to its own host once its egress policy allowed it, when the
   * spec says it (manifests installs only). Absent: the installers' ACCEPT.
   */
  readonly defaultEndpointToHostAction?: EndpointToHostAction;
  /** The API endpoint nodes use (kubelet, kube-proxy, Felix), and where Services send pods after DNAT. */
  readonly apiServer: ApiServerSpec;
  readonly path: string;
}

export interface ApiServerSpec {
  /** @default 6443 - kubeadm's; 443 on managed control planes */
  readonly port: number;
  /**
   * An address outside the cluster's nodes (a managed control plane, a load balancer).
   *
   * @default - the API server runs on the control-plane nodes
   */
  readonly address?: string;
}

/** `spec.acknowledge[]`: a finding the spec accepts on purpose. */
export interface AcknowledgeSpec {
  readonly code: string;
  readonly reason: string;
  /** Only findings of the code at this spec field or below it (`spec.protectedServers[0]`); every one of the code when absent. */
  readonly field?: string;
  readonly path: string;
}
