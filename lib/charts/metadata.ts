/**
 * Metadata every object calico-shield writes carries: who manages it, which generator
 * version wrote it, and its apply stage for Argo CD (sync waves) and Flux (stage folders).
 */
import { ApiObjectMetadata } from 'cdk8s';
import { GENERATOR_NAME } from '../version';
import { Labels } from '../spec/types';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const GENERATOR_ANNOTATION = 'calico-shield/generator';
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
export const COMPARE_OPTIONS_ANNOTATION = 'argocd.argoproj.io/compare-options';
export const FLUX_PRUNE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/prune';
export const FLUX_SSA_ANNOTATION = 'kustomize.toolkit.fluxcd.io/ssa';

/**
 * The apply order: a HostEndpoint with no policy denies all but failsafe traffic, and
 * pruning failsafe ports before the protecting policies exist cuts access. So network sets
 * and policies first, host endpoints second, cluster-wide configuration last.
 */
export const STAGES = [
  { name: 'policies', wave: 1, folder: '01-policies' },
  { name: 'host-endpoints', wave: 2, folder: '02-host-endpoints' },
  { name: 'configuration', wave: 3, folder: '03-configuration' },
] as const;
export type StageName = (typeof STAGES)[number]['name'];

export interface MetadataOptions {
  readonly name: string;
  readonly namespace?: string;
  readonly stage: StageName;
  /** Labels that carry meaning for Calico selectors. */
  readonly labels?: Labels;
  /**
   * Notes for the people who review dist/, under `calico-shield/` keys.
   *
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * The object exists already and other fields of it belong to the installer: apply with
   * server-side apply, owning only the fields written here, and never delete it — neither
   * when it leaves dist/ nor when the Argo CD Application or Flux Kustomization is deleted,
   * because deleting FelixConfiguration `default` resets every Felix setting of the cluster (and
   * KubeControllersConfiguration `default` every controller's).
   * @default false
   */
  readonly sharedObject?: boolean;
}

export function objectMetadata(options: MetadataOptions): ApiObjectMetadata {
  const stage = (STAGE_ANNOTATIONS.get(options.stage) as StageAnnotations)[options.sharedObject === true ? 'shared' : 'own'];
  return {
    name: options.name,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    labels: { ...(options.labels ?? {}), [MANAGED_BY_LABEL]: GENERATOR_NAME },
    annotations: options.annotations === undefined ? stage : { ...options.annotations, ...stage },
  };
}

/** What an object that exists already, and whose other fields are the installer's, carries besides (MetadataOptions.sharedObject). */
const SHARED_OBJECT_ANNOTATIONS = {
  [SYNC_OPTIONS_ANNOTATION]: 'ServerSideApply=true,Prune=false,Delete=false',
  // Once it leaves dist/, the object stays in the cluster (Prune=false): it carries this
  // annotation there, so the Application does not stay OutOfSync over an object it must keep.
  [COMPARE_OPTIONS_ANNOTATION]: 'IgnoreExtraneous',
  [FLUX_PRUNE_ANNOTATION]: 'disabled',
  // Merge keeps fields other managers (the installer, kubectl) set on the object.
  [FLUX_SSA_ANNOTATION]: 'Merge',
} as const;

/**
 * The annotations every object of a stage carries, for calico-shield's own objects and for
 * shared ones, made once (10,000 host endpoints share one): frozen, as cdk8s copies an
 * object's annotations into its own metadata (cdk8s 2.70.106 lib/metadata.js:52).
 */
const STAGE_ANNOTATIONS = new Map<StageName, StageAnnotations>(
  STAGES.map((stage) => {
    const own = Object.freeze({
      // The name only: the version is in calico-shield.lock, so an upgrade of calico-shield that
      // changes no object rewrites no object (a pull request shows the lock and what changed).
      [GENERATOR_ANNOTATION]: GENERATOR_NAME,
      [SYNC_WAVE_ANNOTATION]: String(stage.wave),
    });
    return [stage.name, { own, shared: Object.freeze({ ...own, ...SHARED_OBJECT_ANNOTATIONS }) }];
  }),
);

interface StageAnnotations {
  readonly own: Readonly<Record<string, string>>;
  readonly shared: Readonly<Record<string, string>>;
}
