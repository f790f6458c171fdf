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
import { parseCidr } from '../calico/net';
import { CalicoObject, isRecord, objectKey } from '../calico/object';
import { sortFindings, type Finding } from '../spec/errors';
import type { ClusterSpec } from '../spec/types';
import type { ProtectionPlan } from '../plan/plan';
import { verifyCluster, type Verification, type VerifyContext } from './guard-rails';

/**
 * The label every object calico-shield writes carries (lib/charts/metadata.ts), spelled here as
 * lib/verify imports no chart code; test/verify/audit.test.ts prunes by the labels dist/ writes.
 */
const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
const GENERATOR_NAME = 'calico-shield';
/** Objects calico-shield writes a few fields of, with server-side apply. */
const SHARED = new Set(['FelixConfiguration//default', 'KubeControllersConfiguration//default']);

/** The cluster once dist/ is applied: calico-shield's objects, and the cluster's others. */
export interface ClusterUnion {
  /** calico-shield's objects, the shared ones merged with the cluster's copies. */
  readonly ours: readonly CalicoObject[];
  /** The cluster's other objects, evaluated with calico-shield's. */
  readonly theirs: readonly CalicoObject[];
  /** Objects of the dump that dist/ replaces (or merges into, for the shared ones), by `Kind/namespace/name`. */
  readonly replaced: readonly string[];
  /** Objects of the dump that calico-shield wrote and dist/ no longer holds: Argo CD and Flux prune them. */
  readonly pruned: readonly string[];
}

export interface AuditResult extends Verification, Pick<ClusterUnion, 'replaced' | 'pruned'> {
  /** The cluster's objects evaluated with calico-shield's, by `Kind/namespace/name`. */
  readonly existing: readonly string[];
}

export function clusterUnion(compiled: readonly CalicoObject[], existing: readonly CalicoObject[]): ClusterUnion {
  const ours = new Map(compiled.map((o) => [objectKey(o), o]));
  const theirs: CalicoObject[] = [];
  const replaced: string[] = [];
  const pruned: string[] = [];
  for (const o of existing) {
    const key = objectKey(o);
    const shared = SHARED.has(key);
    const own = ours.get(key);
    if (own !== undefined) {
      replaced.push(key);
      // Server-side apply: the fields calico-shield writes win, the cluster keeps the others.
      if (shared) ours.set(key, { ...own, spec: merged(o.spec ?? {}, own.spec ?? {}) });
      continue;
    }
    // Argo CD and Flux never prune the shared objects (Prune=false, prune: disabled): the cluster keeps them.
    if (o.metadata.labels?.[MANAGED_BY_LABEL] === GENERATOR_NAME && !shared) {
      pruned.push(key);
      continue;
    }
    theirs.push(o);
  }
  return { ours: [...ours.values()], theirs, replaced: replaced.sort(), pruned: pruned.sort() };
}

export function auditCluster(plan: ProtectionPlan, compiled: readonly CalicoObject[], existing: readonly CalicoObject[], context: Pick<VerifyContext, 'nodes' | 'explainFrom'> = {}): AuditResult {
  const union = clusterUnion(compiled, existing);
  const verification = verifyCluster(plan, union.ours, { ...context, installed: union.theirs });
  const findings = sortFindings([...verification.findings, ...poolMismatches(plan.spec, union.theirs)]);
  return { ...verification, findings, existing: union.theirs.map(objectKey).sort(), replaced: union.replaced, pruned: union.pruned };
}

/**
 * The verdicts take masquerade from spec.environment.ipPools (Felix masquerades a pool's pods
 * only where the pool says natOutgoing, v3.32.1 felix/rules/nat.go:55-82): a pool of the dump
 * that the spec does not list, or lists with another natOutgoing, makes them wrong.
 */
function poolMismatches(spec: ClusterSpec, objects: readonly CalicoObject[]): Finding[] {
  const declared = new Map(spec.environment.ipPools.map((p) => [p.cidr, p]));
  const at = ['spec.environment.ipPools', 'spec.environment', 'spec'].find((f) => spec.positions.has(f)) ?? 'spec';
  const pos = spec.positions.get(at);
  const finding = (message: string): Finding => ({
    severity: 'warning',
    code: 'ip-pools-differ',
    message,
    hint: 'list the cluster\'s IP pools with their natOutgoing in spec.environment.ipPools (calicoctl get ippools -o yaml), then synth and audit again',
    file: spec.file,
    ...(pos ? { line: pos.line, col: pos.col } : {}),
    field: at,
  });
  const out: Finding[] = [];
  for (const o of objects) {
    if (o.kind !== 'IPPool' || o.spec?.['disabled'] === true) continue;
    const text = o.spec?.['cidr'];
    const parsed = typeof text === 'string' ? parseCidr(text) : undefined;
    if (parsed === undefined || !parsed.ok) continue;
    const nat = o.spec?.['natOutgoing'] === true;
    const mine = declared.get(parsed.cidr.text);
    if (mine === undefined) out.push(finding(`the cluster's IPPool ${o.metadata.name} (${parsed.cidr.text}, natOutgoing ${nat}) is not in spec.environment.ipPools: the verdicts do not know its pods' addresses`));
    else if (mine.natOutgoing !== nat) out.push(finding(`the cluster's IPPool ${o.metadata.name} (${parsed.cidr.text}) has natOutgoing ${nat}, spec.environment.ipPools says ${mine.natOutgoing}: the verdicts ${nat ? 'keep pod addresses Felix masquerades to the node' : 'masquerade pod addresses Felix keeps'}`));
  }
  return out;
}

/**
 * What server-side apply leaves of `theirs` once `ours` is applied: mappings merged field by
 * field, lists and values replaced (the CRDs declare no list types, so lists are atomic).
 */
function merged(theirs: Readonly<Record<string, unknown>>, ours: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...theirs };
  for (const [key, value] of Object.entries(ours)) {
    const before = out[key];
    out[key] = isRecord(value) && isRecord(before) ? merged(before, value) : value;
  }
  return out;
}
