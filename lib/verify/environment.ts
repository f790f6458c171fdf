/**
 * The cluster around calico-shield's objects, as the verify stage models it: the spec's
 * `environment` turned into the model's terms, and the Calico objects the installer puts in
 * every cluster (the Tigera operator's tier and policies, from Calico v3.32), which decide before calico-shield's.
 */
import { METRICS_PORTS } from '../calico/felix';
import { parseCidr } from '../calico/net';
import { CalicoObject } from '../calico/object';
import { operatorObjects } from '../calico/operator';
import { CALICO_RELEASES } from '../calico/versions';
import type { ClusterSpec } from '../spec/types';
import type { ModelEnvironment } from './model';

export interface ClusterEnvironment {
  readonly environment: ModelEnvironment;
  /** Objects the cluster has that calico-shield does not write, evaluated with its own. */
  readonly objects: readonly CalicoObject[];
}

export function clusterEnvironment(spec: ClusterSpec): ClusterEnvironment {
  const env = spec.environment;
  const ipPools = env.ipPools.map((p) => {
    const parsed = parseCidr(p.cidr);
    if (!parsed.ok) throw new Error(`IP pool ${p.cidr} of a validated spec is not a CIDR`);
    return { cidr: parsed.cidr, natOutgoing: p.natOutgoing };
  });
  return {
    environment: { ipPools, natOutgoingExclusions: env.natOutgoingExclusions, encapsulation: env.encapsulation, wireguard: env.wireguard },
    // The operator's tier is there from tigera/operator v1.42 (Calico v3.32) on (lib/calico/versions.ts).
    objects: env.install === 'operator' && CALICO_RELEASES[spec.calicoVersion].operatorTier ? operatorObjects(spec.metrics.kubeControllers?.port ?? METRICS_PORTS.kubeControllers) : [],
  };
}
