/**
 * calico-shield as a cdk8s construct: one protected cluster in a user's own Chart.
 *
 *   const app = new App();
 *   const chart = new Chart(app, 'edge');
 *   new CalicoShieldCluster(chart, 'protection', { name: 'edge', spec: { approach: 'allow-list', nodes: [...] } });
 *   app.synth();
 *
 * The props are the fields of a cluster spec (imports/cluster-spec.ts, generated from
 * schemas/cluster.v1alpha1.schema.json), and they go through exactly what `calico-shield synth`
 * does with clusters/<name>.yaml: validation, plan, the charts built from Calico's CRDs,
 * Calico's admission rules, the environment proof and the guard rails. Any error throws a
 * CalicoShieldError naming each field by its path (`spec.nodes[0].interfaces`); with none, the
 * construct holds every object calico-shield would write to dist/<name>/, as ApiObjects.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterDocument } from '../imports/cluster-spec';
import { CalicoObject } from './calico/object';
import { mappingYaml } from './gitops/emit';
import { compileCluster } from './pipeline';
import { Finding, formatFinding } from './spec/errors';
import { AccessMatrix } from './verify/access';

/** The spec's `spec` block, as written in clusters/<name>.yaml. */
export type ClusterSpecProps = ClusterDocument['spec'];

export interface CalicoShieldClusterProps {
  /** The cluster's name, a DNS-1123 label: as the spec file's base name would be. */
  readonly name: string;
  /** The cluster spec's fields (docs/spec.md). */
  readonly spec: ClusterSpecProps;
}

/** The errors calico-shield found in the props; `findings` has each with its field path and hint. */
export class CalicoShieldError extends Error {
  public constructor(public readonly findings: readonly Finding[]) {
    super(`calico-shield refused the cluster spec:\n${findings.map(formatFinding).join('\n')}`);
    this.name = 'CalicoShieldError';
  }
}

export class CalicoShieldCluster extends Construct {
  /** The objects calico-shield writes for the cluster (dist/<name>/ holds the same, sorted into files). */
  public readonly objects: readonly CalicoObject[];
  /** The guard rails' warnings (ACCESS.md lists them); errors throw instead. */
  public readonly warnings: readonly Finding[];
  /** Who reaches each protected server through these objects (ACCESS.md's matrix). */
  public readonly access: AccessMatrix;

  public constructor(scope: Construct, id: string, props: CalicoShieldClusterProps) {
    super(scope, id);
    // A chart's namespace and labels go onto every object in it: a namespace on cluster-scoped
    // Calico objects, or labels on host endpoints that policies select by, would change what
    // calico-shield verified.
    const chart = Chart.of(this);
    if (chart.namespace !== undefined || Object.keys(chart.labels).length > 0) {
      throw new Error(`calico-shield: chart ${chart.node.id} sets a namespace or labels, which cdk8s would add to every Calico object; give ${id} a chart without them`);
    }
    // The props go through the spec reader as a file would, so a finding names the field by its
    // path (the line and column are those of this text). Block YAML, as dist/ is written, is what
    // the fast reader takes; indented JSON would send a large spec to the positioned reader.
    const document: ClusterDocument = { apiVersion: 'calico-shield/v1alpha1', kind: 'Cluster', metadata: { name: props.name }, spec: props.spec };
    const result = compileCluster({ file: `${props.name} (construct props)`, name: props.name, bytes: new TextEncoder().encode(mappingYaml(document as unknown as Record<string, unknown>)) });
    const errors = result.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0 || !result.files || !result.objects || !result.access) {
      throw new CalicoShieldError(errors.map(({ line: _line, col: _col, ...f }) => f));
    }
    this.objects = result.objects;
    this.warnings = result.warnings ?? [];
    this.access = result.access;
    result.objects.forEach((o, i) => new ApiObject(this, `${i}`, o));
  }
}
