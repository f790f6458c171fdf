/**
 * One cluster through every stage: spec → plan → charts → objects → verification → files.
 * Verification errors join the findings and stop here, so nothing is written; its warnings
 * are kept apart (a valid spec still compiles without findings) and go into ACCESS.md.
 * No file system here: the caller reads the spec and writes the files.
 */
import { admit } from './calico/admission';
import { CALICO_RELEASES, type CalicoMinor } from './calico/versions';
import { CalicoObject } from './calico/object';
import { ChartObjects, synthesizePlan } from './charts/synth';
import { renderCluster, shardCount } from './gitops/render';
import { OutputFile } from './gitops/writer';
import { planCluster, ProtectionPlan } from './plan/plan';
import { Finding, hasErrors, sortFindings } from './spec/errors';
import { parseClusterSpec } from './spec/parse';
import { AcknowledgeSpec, ClusterSpec } from './spec/types';
import { AccessMatrix } from './verify/access';
import { findCollisions } from './verify/collisions';
import { formatCount } from './verify/describe';
import { verifyCluster } from './verify/guard-rails';
import { ACCESS_REPORT_FILE, renderAccessReport } from './verify/report';

export interface ClusterInput {
  /** Path shown in messages, e.g. `clusters/example.yaml`. */
  readonly file: string;
  /** The cluster's name: the file's base name. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface ClusterResult {
  readonly name: string;
  readonly findings: readonly Finding[];
  readonly spec?: ClusterSpec;
  readonly plan?: ProtectionPlan;
  readonly charts?: readonly ChartObjects[];
  readonly objects?: readonly CalicoObject[];
  /** Who reaches each protected server through the objects; present once the objects are verified. */
  readonly access?: AccessMatrix;
  /** The verify stage's warnings: printed by synth and listed in ACCESS.md, never a reason to stop. */
  readonly warnings?: readonly Finding[];
  /** Present only when there is no error. */
  readonly files?: readonly OutputFile[];
  /** The folders Argo CD and Flux build (the lock's gitopsPaths); with `files`. */
  readonly gitopsPaths?: readonly string[];
}

export function compileCluster(input: ClusterInput): ClusterResult {
  const parsed = parseClusterSpec(input.file, input.name, input.bytes);
  if (!parsed.spec) return { name: input.name, findings: sortFindings(parsed.findings) };
  const spec = parsed.spec;
  const plan = planCluster(spec);
  const charts = synthesizePlan(plan);
  const objects = charts.flatMap((c) => c.objects);
  const findings: Finding[] = [...parsed.findings, ...collisionFindings(spec, plan, objects), ...admissionFindings(spec.file, objects, spec.calicoVersion)];
  if (hasErrors(findings)) return { name: input.name, findings: sortFindings(findings), spec, plan, charts, objects };
  // Auto mode: spec.nodes is the inventory of the host endpoints kube-controllers creates.
  const nodes = plan.autoHostEndpoints?.nodes;
  const { access, findings: all } = verifyCluster(plan, objects, nodes ? { nodes } : {});
  const { kept: verified, acknowledged } = applyAcknowledge(spec, [...all, ...sizeFindings(spec, plan)]);
  const warnings = verified.filter((f) => f.severity === 'warning');
  findings.push(...verified.filter((f) => f.severity === 'error'));
  if (hasErrors(findings)) return { name: input.name, findings: sortFindings(findings), spec, plan, charts, objects, access, warnings };
  const report = renderAccessReport(plan, access, warnings, acknowledged);
  const { files, gitopsPaths } = renderCluster(input.name, input, CALICO_RELEASES[spec.calicoVersion].release, objects, [{ path: ACCESS_REPORT_FILE, content: report }]);
  return { name: input.name, findings: sortFindings(findings), spec, plan, charts, objects, access, warnings, files, gitopsPaths };
}

/**
 * Static host endpoints over which calico-shield suggests automatic ones: up to here they
 * fit four shards (lib/gitops/render.ts) and a reviewer can still read a node's change.
 */
export const MANY_HOST_ENDPOINTS = 2000;

/** A warning when static mode puts more than MANY_HOST_ENDPOINTS host endpoints into git. */
function sizeFindings(spec: ClusterSpec, plan: ProtectionPlan): Finding[] {
  const count = plan.hostEndpoints.length;
  if (spec.hostEndpoints.mode !== 'static' || count <= MANY_HOST_ENDPOINTS) return [];
  const pos = spec.positions.get('spec.nodes');
  return [
    {
      severity: 'warning',
      code: 'many-host-endpoints',
      message:
        `${formatCount(count)} static host endpoints go into git (${shardCount(count)} shards): every node added, removed or readdressed is a commit, ` +
        'each host endpoint is an object Argo CD or Flux tracks, and a new node is unprotected until its commit is synced',
      hint: 'set spec.hostEndpoints.mode: auto, so that Calico\'s kube-controllers creates each node\'s host endpoint and nothing of it is in git (docs/host-endpoints.md#when-to-use-auto); or acknowledge many-host-endpoints in spec.acknowledge',
      file: spec.file,
      ...(pos ? { line: pos.line, col: pos.col } : {}),
      field: 'spec.nodes',
    },
  ];
}

function collisionFindings(spec: ClusterSpec, plan: ProtectionPlan, objects: readonly CalicoObject[]): Finding[] {
  const collisions = findCollisions(objects);
  if (collisions.length === 0) return [];
  const hepPaths = new Map(plan.hostEndpoints.map((h) => [h.name, h.path]));
  return collisions.map((c) => {
    const paths = c.indexes.map((i) => (objects[i].kind === 'HostEndpoint' ? hepPaths.get(objects[i].metadata.name) : undefined));
    const path = paths.find((p) => p !== undefined);
    const pos = path ? spec.positions.get(path) : undefined;
    return {
      severity: 'error',
      code: 'name-collision',
      message: `${c.indexes.length} objects would be written as ${c.key}, and each would replace the other`,
      hint: 'rename a node or interface so that <node>.<interface> names differ',
      file: spec.file,
      ...(pos ? { line: pos.line, col: pos.col } : {}),
      ...(path ? { field: path } : {}),
    };
  });
}

/**
 * Objects Calico's validator would refuse: calico-apiserver rejects them on apply (and with the
 * native v3 CRDs they are stored and break later), so they are never written.
 */
export function admissionFindings(file: string, objects: readonly CalicoObject[], minor: CalicoMinor): Finding[] {
  return admit(objects, minor).map((v) => ({
    severity: 'error',
    code: 'invalid-object',
    message: `${v.object} would be refused by Calico ${CALICO_RELEASES[minor].release}: ${v.field}: ${v.message} (${v.rule})`,
    hint: 'calico-shield built an object from this spec that Calico does not accept; change the spec field it comes from, or report it if the spec is valid',
    file,
  }));
}

/** A finding the spec accepts on purpose, with its reason. */
export interface Acknowledged {
  readonly finding: Finding;
  readonly reason: string;
}

/**
 * Takes the findings spec.acknowledge names out of the errors and warnings (they go into
 * ACCESS.md with their reason); an acknowledgement that matches nothing is a warning, so none
 * outlives the finding it was written for.
 */
export function applyAcknowledge(spec: ClusterSpec, findings: readonly Finding[]): { kept: Finding[]; acknowledged: Acknowledged[] } {
  // An entry with a field takes only the findings at or below it; entries for one field come before those for the whole code.
  const entries = [...spec.acknowledge].sort((a, b) => (b.field?.length ?? -1) - (a.field?.length ?? -1));
  const kept: Finding[] = [];
  const acknowledged: Acknowledged[] = [];
  const used = new Set<AcknowledgeSpec>();
  for (const f of findings) {
    const a = entries.find((e) => e.code === f.code && (e.field === undefined || (f.field !== undefined && within(f.field, e.field))));
    if (a === undefined) kept.push(f);
    else {
      acknowledged.push({ finding: f, reason: a.reason });
      used.add(a);
    }
  }
  for (const a of spec.acknowledge) {
    if (used.has(a)) continue;
    const pos = spec.positions.get(a.path);
    kept.push({
      severity: 'warning',
      code: 'unused-acknowledge',
      message: `${a.code} is acknowledged${a.field === undefined ? '' : ` for ${a.field}`}, but no such finding comes up`,
      hint: 'remove the entry from spec.acknowledge',
      file: spec.file,
      ...(pos ? { line: pos.line, col: pos.col } : {}),
      field: a.path,
    });
  }
  return { kept, acknowledged };
}

/** Whether a finding's field is the acknowledged field or lies below it. */
function within(field: string, scope: string): boolean {
  return field === scope || field.startsWith(`${scope}.`) || field.startsWith(`${scope}[`);
}
