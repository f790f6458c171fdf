/**
 * The manifests that point Argo CD or Flux at dist/, as text: `deploy/` of the user's
 * GitOps repository, rendered from `deploy/repository.yaml` and the list of clusters.
 *
 *   argocd/applicationset.yaml         one Argo CD for every cluster: an Application per dist/<cluster>/
 *   argocd/applications/<cluster>.yaml an Argo CD inside the cluster: its one Application
 *   flux/<cluster>.yaml                Flux inside the cluster: a GitRepository and one Kustomization per build path
 *
 * Both build each of a cluster's build paths (calico-shield.lock `gitopsPaths`: policies, host
 * endpoints or their shards, configuration) on its own, so no kustomize build grows with the
 * whole cluster (lib/gitops/render.ts says why). Argo CD gives one Application a source per
 * path and orders by the sync-wave annotations; Flux applies the paths stage after stage
 * (dependsOn), since it ignores sync waves.
 */
import { isMap, isScalar, parseDocument } from 'yaml';
import { compareByName, compareText } from '../calico/strings';
import { checkDns1123Label, checkDns1123Subdomain, escapeHiddenCharacters, quote } from '../calico/validate';
import { STAGES } from '../charts/metadata';
import { Finding } from '../spec/errors';
import { TextLines } from '../spec/lines';
import { GENERATOR_NAME } from '../version';
import { Application, ApplicationSpec, ApplicationSpecDestination, ApplicationSpecSources, toJson_ApplicationSpec } from '../../imports/argocd-application-argoproj.io';
import { GitRepository } from '../../imports/flux-gitrepository-source.toolkit.fluxcd.io';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/flux-kustomization-kustomize.toolkit.fluxcd.io';
import { yamlText } from './emit';
import { LOCK_FILE, OutputFile } from './writer';

/** Where Argo CD and Flux fetch dist/ from. */
export interface DeployRepo {
  /** The Git repository that holds dist/, as Argo CD and Flux clone it (`https://…`, `ssh://…` or `git@host:path`). */
  readonly repoURL: string;
  /** The branch Argo CD and Flux follow. */
  readonly revision: string;
  /** The folder of the repository that holds the cluster folders, relative to its root: `dist`. */
  readonly path: string;
  /** Where the Argo CD Applications and the ApplicationSet go. @default - namespace argocd, project default */
  readonly argocd?: ArgoCdSettings;
  /** Where the Flux objects go, and their credentials. @default - namespace flux-system, no secrets */
  readonly flux?: FluxSettings;
}

export interface ArgoCdSettings {
  /** The namespace Argo CD runs in (and watches for Applications). @default argocd */
  readonly namespace?: string;
  /** The Argo CD project of the Applications. @default default */
  readonly project?: string;
}

export interface FluxSettings {
  /** The namespace of the GitRepository and the Kustomizations. @default flux-system */
  readonly namespace?: string;
  /** A Secret with the Git credentials of the repository (GitRepository `spec.secretRef`). @default - none: a public repository */
  readonly secretRef?: string;
  /**
   * A Secret with a kubeconfig, for a Flux that applies to another cluster than its own
   * (Kustomization `spec.kubeConfig.secretRef`, key `value`). @default - none: Flux's own cluster
   */
  readonly kubeConfigSecretRef?: string;
}

/** The settings file, relative to the repository root; the manifests are rendered into its folder. */
export const DEPLOY_REPO_FILE = 'deploy/repository.yaml';

const ARGOCD_NAMESPACE = 'argocd';
const ARGOCD_PROJECT = 'default';
const FLUX_NAMESPACE = 'flux-system';
/**
 * A Git URL of the characters URLs are made of (RFC 3986), with no `{` or `}`: the URL goes into
 * the ApplicationSet's template, which Argo CD evaluates as a Go template, and into messages.
 */
const REPO_URL = /^(https?:\/\/|ssh:\/\/|git@)[A-Za-z0-9._~:/?#[\]@!$&'()*+,;=%-]+$/;
const BRANCH = /^[A-Za-z0-9._/-]+$/;
const PATH_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** The file names `renderDeploy` writes for one cluster, relative to deploy/. */
export function deployFiles(cluster: string): { readonly argocd: string; readonly flux: string } {
  return { argocd: `argocd/applications/${cluster}.yaml`, flux: `flux/${cluster}.yaml` };
}

/** A cluster as deploy/ needs it: its name and its build paths (calico-shield.lock `gitopsPaths`). */
export interface DeployCluster {
  readonly name: string;
  /** Relative to the cluster folder, in apply order, each starting with its stage folder. */
  readonly gitopsPaths: readonly string[];
}

/**
 * Renders deploy/ for these clusters: the ApplicationSet, an Application and a Flux file per
 * cluster, sorted by path. The same input gives the same bytes.
 */
export function renderDeploy(clusters: readonly DeployCluster[], repo: DeployRepo): OutputFile[] {
  const sorted = [...clusters].sort(compareByName);
  const names = sorted.map((c) => c.name);
  for (const [i, name] of names.entries()) {
    // Cluster names come from calico-shield's own spec loader, so a bad one is a bug.
    if (checkDns1123Label(name) !== undefined) throw new Error(`Cluster name "${name}" is not a DNS-1123 label.`);
    if (i > 0 && names[i - 1] === name) throw new Error(`Cluster "${name}" appears twice.`);
  }
  const problem = repoProblem(repo);
  if (problem) throw new Error(`Deploy repository settings: ${problem}.`);
  const files: OutputFile[] = [{ path: 'argocd/applicationset.yaml', content: applicationSetFile(repo) }];
  for (const cluster of sorted) {
    const units = gitopsUnits(cluster);
    files.push({ path: deployFiles(cluster.name).argocd, content: applicationFile(cluster.name, units, repo) });
    files.push({ path: deployFiles(cluster.name).flux, content: fluxFile(cluster.name, units, repo) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Reads `deploy/repository.yaml`: `repoURL`, `revision` and `path`, each a string.
 *
 * @param file the path shown in findings
 */
export function parseDeployRepo(file: string, text: string): { readonly repo?: DeployRepo; readonly findings: readonly Finding[] } {
  // Lines from the text itself: yaml's LineCounter misses the breaks of tokens it rejects.
  const lineCounter = new TextLines(text);
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number | undefined): { line: number; col: number } => lineCounter.linePos(offset ?? 0);
  const finding = (code: string, message: string, hint: string, offset?: number, field?: string): Finding => ({
    severity: 'error',
    code,
    message,
    hint,
    file,
    ...at(offset),
    ...(field ? { field } : {}),
  });
  if (doc.errors.length > 0) {
    return { findings: doc.errors.map((e) => finding(`yaml-${e.code.toLowerCase().replace(/_/g, '-')}`, escapeHiddenCharacters(e.message.split('\n')[0]), 'fix the YAML syntax', e.pos[0])) };
  }
  const map = doc.contents;
  if (!isMap(map)) {
    return { findings: [finding('not-a-mapping', 'the deploy settings are not a mapping', 'write repoURL:, revision: and path: keys', map?.range?.[0])] };
  }
  const findings: Finding[] = [];
  const values = new Map<string, string>();
  const sections: { argocd?: Record<string, string>; flux?: Record<string, string> } = {};
  const hints: Readonly<Record<keyof DeployRepo, string>> = {
    repoURL: 'the URL Argo CD and Flux clone, e.g. https://git.example.com/platform/calico-shield-gitops.git',
    revision: 'the branch Argo CD and Flux follow, e.g. main',
    path: 'the folder that holds the cluster folders, relative to the repository root, e.g. dist',
    argocd: 'argocd: {namespace: argocd, project: default}',
    flux: 'flux: {namespace: flux-system, secretRef: <Secret with Git credentials>, kubeConfigSecretRef: <Secret with a kubeconfig>}',
  };
  const sectionKeys: Readonly<Record<'argocd' | 'flux', Readonly<Record<string, (v: string) => string | undefined>>>> = {
    argocd: { namespace: namespaceProblem, project: objectNameProblem },
    flux: { namespace: namespaceProblem, secretRef: objectNameProblem, kubeConfigSecretRef: objectNameProblem },
  };
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const keyOffset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    if (!(key in hints)) {
      findings.push(finding('unknown-field', `unknown field ${quote(key)}`, 'the deploy settings are repoURL, revision, path, argocd and flux', keyOffset, key));
      continue;
    }
    if (key === 'argocd' || key === 'flux') {
      const known = sectionKeys[key];
      if (!isMap(pair.value)) {
        findings.push(finding('not-a-mapping', `${key} is not a mapping`, hints[key], keyOffset, key));
        continue;
      }
      const section: Record<string, string> = {};
      for (const item of pair.value.items) {
        const name = isScalar(item.key) ? String(item.key.value) : '';
        const field = `${key}.${name}`;
        const nameOffset = isScalar(item.key) ? item.key.range?.[0] : undefined;
        const check = known[name];
        if (check === undefined) {
          findings.push(finding('unknown-field', `unknown field ${quote(field)}`, `${key} takes ${Object.keys(known).join(', ')}`, nameOffset, field));
          continue;
        }
        const value = isScalar(item.value) && typeof item.value.value === 'string' ? item.value.value : undefined;
        const valueOffset = isScalar(item.value) ? item.value.range?.[0] : nameOffset;
        const problem = value === undefined ? `${field} is not a string` : check(value);
        if (problem !== undefined || value === undefined) findings.push(finding(value === undefined ? 'not-a-string' : `bad-${name.toLowerCase()}`, problem ?? `${field} is not a string`, hints[key], valueOffset, field));
        else section[name] = value;
      }
      sections[key] = section;
      continue;
    }
    const value = isScalar(pair.value) && typeof pair.value.value === 'string' ? pair.value.value : undefined;
    const valueOffset = isScalar(pair.value) ? pair.value.range?.[0] : keyOffset;
    if (value === undefined) {
      findings.push(finding('not-a-string', `${key} is not a string`, hints[key as keyof DeployRepo], valueOffset, key));
      continue;
    }
    const problem = fieldProblem(key as RepoField, value);
    if (problem) findings.push(finding(`bad-${key.toLowerCase()}`, problem, hints[key as keyof DeployRepo], valueOffset, key));
    else values.set(key, value);
  }
  for (const key of REPO_FIELDS) {
    if (!map.items.some((p) => isScalar(p.key) && p.key.value === key)) {
      findings.push(finding('missing-field', `${key} is missing`, hints[key], map.range?.[0]));
    }
  }
  if (findings.length > 0) return { findings };
  return {
    repo: {
      repoURL: values.get('repoURL') ?? '',
      revision: values.get('revision') ?? '',
      path: values.get('path') ?? '',
      ...(sections.argocd ? { argocd: sections.argocd } : {}),
      ...(sections.flux ? { flux: sections.flux } : {}),
    },
    findings: [],
  };
}

type RepoField = 'repoURL' | 'revision' | 'path';
const REPO_FIELDS: readonly RepoField[] = ['repoURL', 'revision', 'path'];

function namespaceProblem(value: string): string | undefined {
  const problem = checkDns1123Label(value);
  return problem ? `namespace ${quote(value)}: ${problem.message}` : undefined;
}

function objectNameProblem(value: string): string | undefined {
  const problem = checkDns1123Subdomain(value);
  return problem ? `${quote(value)} is not an object name: ${problem.message}` : undefined;
}

function repoProblem(repo: DeployRepo): string | undefined {
  const settings = [repo.argocd?.namespace, repo.flux?.namespace].flatMap((n) => (n === undefined ? [] : [namespaceProblem(n)]));
  const names = [repo.argocd?.project, repo.flux?.secretRef, repo.flux?.kubeConfigSecretRef].flatMap((n) => (n === undefined ? [] : [objectNameProblem(n)]));
  return fieldProblem('repoURL', repo.repoURL) ?? fieldProblem('revision', repo.revision) ?? fieldProblem('path', repo.path) ?? [...settings, ...names].find((p) => p !== undefined);
}

function fieldProblem(key: RepoField, value: string): string | undefined {
  switch (key) {
    case 'repoURL':
      if (/[{}]/.test(value)) return `repoURL ${quote(value)} holds "{" or "}": Argo CD would evaluate it as template syntax in the ApplicationSet`;
      return REPO_URL.test(value) ? undefined : `repoURL ${quote(value)} is not a Git URL (https://…, ssh://… or git@host:path, of the characters URLs are made of: no spaces, quotes or control characters)`;
    case 'revision':
      return BRANCH.test(value) && !value.startsWith('-') && !value.includes('..') ? undefined : `revision ${quote(value)} is not a branch name`;
    case 'path':
      return value.split('/').every((s) => PATH_SEGMENT.test(s))
        ? undefined
        : `path ${quote(value)} is not a folder relative to the repository root (no leading or trailing "/", no "." or ".." segments)`;
  }
}

/** The header line that marks a manifest as rendered by calico-shield: only such files are ever replaced or removed. */
const RENDERED_MARK = `# Written by calico-shield synth from ${DEPLOY_REPO_FILE}`;

function header(lines: readonly string[]): string {
  return [...lines.map((l) => `# ${l}`), `${RENDERED_MARK}: change that file and run 'npm run synth', not this one.`].map((l) => `${l}\n`).join('');
}

/** Whether a manifest under deploy/ is one calico-shield rendered: its leading comments hold the header line. */
export function isRenderedDeployFile(text: string): boolean {
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) return false;
    if (line.startsWith(RENDERED_MARK)) return true;
  }
  return false;
}

/** One build path of a cluster: its stage and the name of its Flux Kustomization. */
interface GitopsUnit {
  readonly path: string;
  readonly stage: number;
  readonly name: string;
}

/** The cluster's build paths with their stage (index in STAGES) and Kustomization name, checked against the stage folders. */
function gitopsUnits(cluster: DeployCluster): GitopsUnit[] {
  let previous = 0;
  return cluster.gitopsPaths.map((path) => {
    const [folder, shard, ...more] = path.split('/');
    const stage = STAGES.findIndex((s) => s.folder === folder);
    // The paths come from calico-shield's own renderer or lock, so a bad one is a bug or a hand-edited lock.
    if (stage < 0 || stage < previous || more.length > 0 || (shard !== undefined && !/^shard-[01]+$/.test(shard))) {
      throw new Error(`Cluster "${cluster.name}": "${path}" is not a build path calico-shield writes.`);
    }
    previous = stage;
    return { path, stage, name: `${GENERATOR_NAME}-${STAGES[stage].name}${shard === undefined ? '' : `-${shard}`}` };
  });
}

/**
 * What every Application of calico-shield syncs with, typed by the Application CRD of Argo CD
 * v3.5.1 (imports/argocd-application-argoproj.io.ts). No ServerSideApply here: the one object
 * that needs it, FelixConfiguration `default`, asks for it with its own annotation, and the
 * other objects are calico-shield's alone.
 */
function applicationSpec(repo: DeployRepo, sources: readonly ApplicationSpecSources[], destination: ApplicationSpecDestination): ApplicationSpec {
  return {
    project: repo.argocd?.project ?? ARGOCD_PROJECT,
    ...(sources.length > 0 ? { sources: [...sources] } : {}),
    destination,
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      syncOptions: [
        // Removals go after every wave is applied: a policy that is no longer needed goes only
        // once the FelixConfiguration of wave 3 has given its port back to the failsafe list.
        'PruneLast=true',
        // Two Applications that sync the same Calico objects (say, two clusters' folders sent to
        // one cluster) would undo each other's rules; fail instead.
        'FailOnSharedResource=true',
        // Argo CD 3.3+ would first client-side apply FelixConfiguration `default` to take over
        // the fields a `kubectl apply` wrote, and that apply drops every Felix setting that is not
        // in dist/. Server-side apply alone leaves them to their owners.
        'ClientSideApplyMigration=false',
      ],
      // The Calico API server that serves projectcalico.org/v3 may be restarting (a Calico
      // upgrade, a new cluster); retry instead of leaving the sync failed until the next commit.
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
    },
  };
}

const MANAGED_BY = { 'app.kubernetes.io/managed-by': GENERATOR_NAME };

/**
 * Keys in the order people write them, by the key of the object that holds them: the generated
 * constructs emit keys alphabetically. Keys not listed follow, sorted.
 */
const KEY_ORDER: Readonly<Record<string, readonly string[]>> = {
  '': ['apiVersion', 'kind', 'metadata', 'spec'],
  metadata: ['name', 'namespace', 'labels', 'annotations'],
  spec: ['project', 'source', 'sources', 'destination', 'goTemplate', 'goTemplateOptions', 'generators', 'template', 'templatePatch', 'dependsOn', 'interval', 'retryInterval', 'timeout', 'url', 'ref', 'secretRef', 'sourceRef', 'path', 'kubeConfig', 'ignore', 'prune', 'wait', 'syncPolicy'],
  sources: ['repoURL', 'targetRevision', 'path'],
  git: ['repoURL', 'revision', 'files'],
  files: ['path', 'exclude'],
  template: ['metadata', 'spec'],
  syncPolicy: ['automated', 'syncOptions', 'retry'],
  retry: ['limit', 'backoff'],
  backoff: ['duration', 'factor', 'maxDuration'],
};

function ordered(value: unknown, parent = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, parent));
  if (value === null || typeof value !== 'object') return value;
  const order = KEY_ORDER[parent] ?? [];
  const rank = (k: string): number => (order.includes(k) ? order.indexOf(k) : order.length);
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b) || compareText(a, b));
  return Object.fromEntries(keys.map((k) => [k, ordered((value as Record<string, unknown>)[k], k)]));
}

/** A manifest, its keys in KEY_ORDER, as YAML. */
function manifestYaml(manifest: unknown): string {
  return yamlText(ordered(manifest) as Record<string, unknown>);
}

function applicationSetFile(repo: DeployRepo): string {
  const namespace = repo.argocd?.namespace ?? ARGOCD_NAMESPACE;
  const lockGlob = `${repo.path}/*/${LOCK_FILE}`;
  // One source per build path of the cluster, read from its calico-shield.lock; toJson quotes
  // each path, as Argo CD's documentation asks of templatePatch parameters.
  const sourcesPatch = [
    'spec:',
    '  sources:',
    '  {{- range .gitopsPaths }}',
    `    - repoURL: ${JSON.stringify(repo.repoURL)}`,
    `      targetRevision: ${JSON.stringify(repo.revision)}`,
    '      path: {{ printf "%s/%s" $.path.path . | toJson }}',
    '  {{- end }}',
    '',
  ].join('\n');
  // The ApplicationSet CRD is not imported (its generated types are 3 MB); its template's spec
  // is an Application spec, typed as such, and the whole manifest is checked against the CRD's
  // schema in test/gitops/deploy.test.ts.
  const manifest = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: GENERATOR_NAME, namespace, labels: MANAGED_BY },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [
        {
          git: {
            repoURL: repo.repoURL,
            revision: repo.revision,
            // The lock of every cluster folder: its folder is .path.path, its build paths .gitopsPaths.
            // Hidden folders are what an interrupted synth leaves (.<cluster>.tmp-...), never a cluster.
            files: [{ path: lockGlob }, { path: `${repo.path}/.*/${LOCK_FILE}`, exclude: true }],
          },
        },
      ],
      template: {
        metadata: { name: `${GENERATOR_NAME}-{{.path.basename}}`, labels: MANAGED_BY },
        // Each folder goes to the Argo CD cluster of the same name, never all to one cluster.
        spec: toJson_ApplicationSpec(applicationSpec(repo, [], { name: '{{.path.basename}}' })),
      },
      templatePatch: sourcesPatch,
      // A cluster whose spec is deleted keeps its protection: deleting its Application must not
      // delete its host endpoints and policies in an order nobody chose.
      syncPolicy: { preserveResourcesOnDeletion: true },
    },
  };
  return (
    header([
      'Argo CD managing every cluster: one Application per folder of dist/, sent to the Argo CD cluster',
      'of the same name (register each cluster under its spec file name: argocd cluster add <context> --name <cluster>).',
      `Each Application has a source per build path listed in the folder's ${LOCK_FILE} (Argo CD 2.10 or later: templatePatch).`,
      `  kubectl apply -n ${namespace} -f deploy/argocd/applicationset.yaml`,
    ]) + manifestYaml(manifest)
  );
}

function applicationFile(cluster: string, units: readonly GitopsUnit[], repo: DeployRepo): string {
  const namespace = repo.argocd?.namespace ?? ARGOCD_NAMESPACE;
  const sources = units.map((u): ApplicationSpecSources => ({ repoUrl: repo.repoURL, targetRevision: repo.revision, path: `${repo.path}/${cluster}/${u.path}` }));
  const manifest: unknown = Application.manifest({
    metadata: { name: `${GENERATOR_NAME}-${cluster}`, namespace, labels: MANAGED_BY },
    spec: applicationSpec(repo, sources, { server: 'https://kubernetes.default.svc' }),
  });
  return (
    header([
      `Argo CD running inside cluster "${cluster}": sync ${repo.path}/${cluster}/ into this cluster, one source per build path.`,
      `  kubectl apply -n ${namespace} -f deploy/argocd/applications/${cluster}.yaml`,
    ]) + manifestYaml(manifest)
  );
}

function fluxFile(cluster: string, units: readonly GitopsUnit[], repo: DeployRepo): string {
  const namespace = repo.flux?.namespace ?? FLUX_NAMESPACE;
  const secretRef = repo.flux?.secretRef;
  const kubeConfigSecret = repo.flux?.kubeConfigSecretRef;
  const source: unknown = GitRepository.manifest({
    metadata: { name: GENERATOR_NAME, namespace },
    spec: {
      interval: '1m',
      url: repo.repoURL,
      ref: { branch: repo.revision },
      ...(secretRef !== undefined ? { secretRef: { name: secretRef } } : {}),
      // The artifact holds this cluster's folder only: the specs and the other clusters stay out of it.
      ignore: sourceIgnore(`${repo.path}/${cluster}`),
    },
  });
  // Names without the cluster: one Flux per cluster, and Flux copies the name into a label
  // (kustomize.toolkit.fluxcd.io/name) of every object it applies, which takes 63 characters at most.
  // Each path waits for every path of the stage before it.
  const kustomizations = units.map((unit): unknown => {
    const before = units.filter((u) => u.stage < unit.stage);
    const waitsFor = before.filter((u) => u.stage === before[before.length - 1]?.stage);
    return Kustomization.manifest({
      metadata: { name: unit.name, namespace },
      spec: {
        ...(waitsFor.length > 0 ? { dependsOn: waitsFor.map((u) => ({ name: u.name })) } : {}),
        interval: '10m',
        retryInterval: '1m',
        timeout: '3m',
        sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: GENERATOR_NAME },
        path: `./${repo.path}/${cluster}/${unit.path}`,
        ...(kubeConfigSecret !== undefined ? { kubeConfig: { secretRef: { name: kubeConfigSecret, key: 'value' } } } : {}),
        prune: true,
        // Ready only once every object of the path is applied, so the next stage waits for it.
        wait: true,
      },
    });
  });
  return (
    header([
      `Flux running inside cluster "${cluster}": apply ${repo.path}/${cluster}/ one stage after the other,`,
      'policies, then host endpoints (each shard on its own, or the KubeControllersConfiguration that',
      'creates them), then the FelixConfiguration that prunes failsafe ports.',
      `  kubectl apply -f deploy/flux/${cluster}.yaml`,
    ]) + [source, ...kustomizations].map((m) => `---\n${manifestYaml(m)}`).join('')
  );
}

/** A .gitignore-style list that keeps only `folder` (e.g. `dist/example`) of the repository. */
function sourceIgnore(folder: string): string {
  const lines = ['/*'];
  const segments = folder.split('/');
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join('/');
    lines.push(`!/${prefix}/`);
    if (i < segments.length) lines.push(`/${prefix}/*`);
  }
  return `${lines.join('\n')}\n`;
}
