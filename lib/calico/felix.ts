/**
 * Felix facts calico-shield depends on, per Calico version.
 *
 * @see https://docs.tigera.io/calico/3.32/reference/resources/felixconfig (failsafeInboundHostPorts, failsafeOutboundHostPorts)
 */
import type { CalicoMinor } from './versions';

export type FailsafeProtocol = 'TCP' | 'UDP';

/** What Felix does with a pod's traffic to its own host once the pod's egress policy allowed it (DefaultEndpointToHostAction). */
export type EndpointToHostAction = 'Accept' | 'Drop' | 'Return';

export interface FailsafeEntry {
  readonly protocol: FailsafeProtocol;
  readonly port: number;
  readonly net?: string;
}

export interface FailsafeDefaults {
  readonly inbound: readonly FailsafeEntry[];
  readonly outbound: readonly FailsafeEntry[];
}

const tcp = (port: number): FailsafeEntry => ({ protocol: 'TCP', port });
const udp = (port: number): FailsafeEntry => ({ protocol: 'UDP', port });

/**
 * Felix's built-in failsafe ports (FelixConfiguration defaults) per Calico minor, read from
 * felix/config/config_params.go at each pinned tag: v3.30.7 lines 413-414, v3.31.7 lines
 * 412-413, v3.32.1 lines 425-426 (and v3.29.7 lines 361-362). The lists are the same in all of
 * them; test/calico/failsafe-defaults.test.ts pins each tag's lines, so a release that changes
 * them is caught, not assumed.
 *
 * The example list in "Securing Calico's own communications" (which removes 2379) also
 * drops tcp:6443 and tcp:5473; these are the values Felix itself uses, so pruning starts
 * from them (see docs/seed-deviations.md).
 */
const FELIX_FAILSAFE_V3_30_TO_V3_32: FailsafeDefaults = {
  inbound: [tcp(22), udp(68), tcp(179), tcp(2379), tcp(2380), tcp(5473), tcp(6443), tcp(6666), tcp(6667)],
  outbound: [udp(53), udp(67), tcp(179), tcp(2379), tcp(2380), tcp(5473), tcp(6443), tcp(6666), tcp(6667)],
};

export const FAILSAFE_DEFAULTS: Readonly<Record<CalicoMinor, FailsafeDefaults>> = {
  'v3.30': FELIX_FAILSAFE_V3_30_TO_V3_32,
  'v3.31': FELIX_FAILSAFE_V3_30_TO_V3_32,
  'v3.32': FELIX_FAILSAFE_V3_30_TO_V3_32,
};

/** Default Prometheus metrics ports of Calico's components. */
export const METRICS_PORTS = {
  calicoNode: 9091,
  typha: 9093,
  kubeControllers: 9094,
} as const;

export function failsafeKey(entry: FailsafeEntry): string {
  return `${entry.protocol.toLowerCase()}:${entry.port}${entry.net ? `@${entry.net}` : ''}`;
}
