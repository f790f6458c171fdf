/**
 * What a cluster cannot lose: the host paths every Kubernetes node running Calico needs from
 * other nodes and from itself, and the system pods a namespaced policy must not select by
 * mistake. The verify stage checks on every synth, in both approaches, that no protected port
 * (a metrics port, a protected server) takes one of these paths away from the nodes that need
 * it, and that no policy calico-shield writes selects these pods.
 */
import { hostPaths, PRESETS, type HostPeer, type HostRole, type PresetId } from './presets';

/** A path into the nodes of `on` from `from` that the cluster needs. */
export interface NeededPath {
  readonly id: string;
  readonly name: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
  /** The last port, for a range. @default - `port` only */
  readonly endPort?: number;
  readonly on: HostRole;
  readonly from: HostPeer;
  readonly usedBy: string;
  /** The preset the spec names that opens the path, when it does. */
  readonly namedPreset?: PresetId;
}

/**
 * SSH: a Felix failsafe port by default (v3.32.1 felix/config/config_params.go:425), so that a
 * broken policy cannot lock the operators out of the nodes.
 */
const SSH: NeededPath = { id: 'ssh', name: 'SSH', protocol: 'TCP', port: 22, on: 'nodes', from: 'anywhere', usedBy: 'operators logging in to the nodes, the way back when a policy goes wrong' };

/**
 * The paths into the nodes a cluster needs: the inbound legs of the presets every node needs
 * and of the presets the spec names, and SSH. A node's own egress is the presets' probes' to
 * judge: a protected port is a destination.
 */
export function neededPaths(apiServer: { readonly port: number; readonly address?: string }, namedPresets: readonly PresetId[]): NeededPath[] {
  const always = new Set(PRESETS.filter((p) => p.needed === 'always').map((p) => p.id));
  const needed: NeededPath[] = [];
  for (const p of hostPaths(apiServer)) {
    if (p.inbound === undefined || p.port === undefined || p.protocol === 'IPIP') continue;
    if (!always.has(p.preset) && !namedPresets.includes(p.preset)) continue;
    needed.push({
      id: p.id,
      name: p.name,
      protocol: p.protocol,
      port: p.port,
      ...(p.endPort !== undefined && { endPort: p.endPort }),
      on: p.inbound.on,
      from: p.inbound.from,
      usedBy: p.usedBy,
      ...(namedPresets.includes(p.preset) && { namedPreset: p.preset }),
    });
  }
  return [...needed, SSH];
}

/** A pod every cluster runs that a namespaced policy of calico-shield could select by its labels. */
export interface SystemPod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** What the cluster loses when its other ingress ends in a default deny. */
  readonly serves: string;
}

/**
 * CoreDNS as kubeadm deploys it (manifests under kubernetes/cmd/kubeadm/app/phases/addons/dns:
 * Service and pods `k8s-app: kube-dns`), metrics-server (`k8s-app: metrics-server`), and
 * calico-apiserver, which serves projectcalico.org/v3 (tigera/operator pkg/render/apiserver.go).
 */
export const SYSTEM_PODS: readonly SystemPod[] = [
  { name: 'CoreDNS', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, serves: 'DNS (UDP and TCP 53) for every pod' },
  { name: 'metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' }, serves: 'the metrics API (kubectl top, autoscaling)' },
  { name: 'calico-apiserver', namespace: 'calico-apiserver', labels: { 'k8s-app': 'calico-apiserver' }, serves: 'the projectcalico.org/v3 API' },
];
