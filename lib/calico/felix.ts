/**
 * Felix facts calico-shield depends on, per Calico version.
 *
 * @see https://docs.tigera.io/calico/3.32/reference/resources/felixconfig (failsafeInboundHostPorts, failsafeOutboundHostPorts)
 */

export type FailsafeProtocol = 'TCP' | 'UDP';

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
 * Felix's built-in failsafe ports in Calico v3.32 (FelixConfiguration defaults): v3.32.1
 * felix/config/config_params.go:425-426, the same lists at v3.29.7 (361-362), v3.30.7 (413-414)
 * and v3.31.7 (412-413); test/calico/failsafe-defaults.test.ts pins them per tag.
 *
 * The example list in "Securing Calico's own communications" (which removes 2379) also
 * drops tcp:6443 and tcp:5473; these are the values Felix itself uses, so pruning starts
 * from them (see docs/seed-deviations.md).
 */
export const FAILSAFE_DEFAULTS: Readonly<Record<'v3.32', FailsafeDefaults>> = {
  'v3.32': {
    inbound: [tcp(22), udp(68), tcp(179), tcp(2379), tcp(2380), tcp(5473), tcp(6443), tcp(6666), tcp(6667)],
    outbound: [udp(53), udp(67), tcp(179), tcp(2379), tcp(2380), tcp(5473), tcp(6443), tcp(6666), tcp(6667)],
  },
};

/** The exact Calico release whose CRDs are pinned in crds/ and whose semantics are modelled. */
export const CALICO_RELEASE = 'v3.32.1';

/** Default Prometheus metrics ports of Calico's components. */
export const METRICS_PORTS = {
  calicoNode: 9091,
  typha: 9093,
  kubeControllers: 9094,
} as const;

export function failsafeKey(entry: FailsafeEntry): string {
  return `${entry.protocol.toLowerCase()}:${entry.port}${entry.net ? `@${entry.net}` : ''}`;
}
