/**
 * `calico-shield audit`: calico-shield's compiled objects evaluated together with what the
 * cluster already has (a dump of its Calico objects), so that an earlier allow-all policy, a
 * tier ordered before `default`, a hand-made host endpoint or a second FelixConfiguration shows
 * in the verdicts instead of being assumed away.
 *
 * The union is what the cluster holds once Argo CD or Flux has applied dist/: the dump's copies
 * of calico-shield's own objects are replaced by what dist/ applies (FelixConfiguration and
 * KubeControllersConfiguration `default` merged field by field, as server-side apply does), the
 * dump's objects that calico-shield wrote and dist/ no longer holds are pruned, and the rest stays.
 */
import { CalicoObject, objectKey } from '../calico/object';
import type { ProtectionPlan } from '../plan/plan';
import { verifyCluster, type Verification, type VerifyContext } from './guard-rails';

/** The label every object calico-shield writes carries. */
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const GENERATOR = 'calico-shield';
/** Objects calico-shield writes a few fields of, with server-side apply. */
const SHARED = new Set(['FelixConfiguration/default', 'KubeControllersConfiguration/default']);

export interface AuditResult extends Verification {
  /** The cluster's objects evaluated with calico-shield's, by `Kind/namespace/name`. */
  readonly existing: readonly string[];
  /** Objects of the dump that dist/ replaces (or merges into, for the shared ones). */
  readonly replaced: readonly string[];
  /** Objects of the dump that calico-shield wrote and dist/ no longer holds: Argo CD and Flux prune them. */
  readonly pruned: readonly string[];
}

export function auditCluster(plan: ProtectionPlan, compiled: readonly CalicoObject[], existing: readonly CalicoObject[], context: Pick<VerifyContext, 'nodes'> = {}): AuditResult {
  const ours = new Map(compiled.map((o) => [objectKey(o), o]));
  const kept: CalicoObject[] = [];
  const replaced: string[] = [];
  const pruned: string[] = [];
  const merged: CalicoObject[] = [];
  for (const o of existing) {
    const key = objectKey(o);
    const own = ours.get(key);
    if (own !== undefined) {
      replaced.push(key);
      if (SHARED.has(`${o.kind}/${o.metadata.name}`) && o.metadata.namespace === undefined) {
        // Server-side apply: the fields calico-shield writes win, the cluster keeps the others.
        merged.push({ ...own, spec: { ...(o.spec ?? {}), ...(own.spec ?? {}) } });
        ours.delete(key);
      }
      continue;
    }
    if (o.metadata.labels?.[MANAGED_BY] === GENERATOR) {
      pruned.push(key);
      continue;
    }
    kept.push(o);
  }
  const union = [...ours.values(), ...merged];
  const verification = verifyCluster(plan, union, { ...context, installed: kept });
  return { ...verification, existing: kept.map(objectKey).sort(), replaced: replaced.sort(), pruned: pruned.sort() };
}
