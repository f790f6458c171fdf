/**
 * deploy/: the Argo CD and Flux manifests that point at dist/. What synth writes there must be
 * what renderDeploy makes of deploy/repository.yaml and the locks synth writes in dist/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { STAGES } from '../../lib/charts/metadata';
import { DEPLOY_REPO_FILE, DeployCluster, DeployRepo, parseDeployRepo, renderDeploy } from '../../lib/gitops/deploy';
import { LOCK_FILE } from '../../lib/gitops/writer';
import { CLUSTERS, listFiles, removeWorkspaces, synth, workspace } from '../support/cli';
import { ROOT } from '../support/compile';
import { loadCrdValidators } from '../support/crd-schema';

const REPO: DeployRepo = { repoURL: 'https://git.example.com/platform/calico-shield-gitops.git', revision: 'main', path: 'dist' };

type Manifest = Record<string, unknown> & { kind: string; metadata: { name: string }; spec: Record<string, unknown> };

function manifests(text: string): Manifest[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error('not YAML');
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS() as Manifest).filter((m) => m !== null);
}

/** A cluster whose host endpoints fit one build: one build path per stage. */
const STAGE_PATHS = STAGES.map((s) => s.folder);
const SHARDED_PATHS = ['01-policies', '02-host-endpoints/shard-00', '02-host-endpoints/shard-01', '02-host-endpoints/shard-11', '03-configuration'];

function cluster(name: string, gitopsPaths: readonly string[] = STAGE_PATHS): DeployCluster {
  return { name, gitopsPaths };
}

function rendered(clusters: readonly (string | DeployCluster)[], repo: DeployRepo = REPO): Map<string, Manifest[]> {
  return new Map(renderDeploy(clusters.map((c) => (typeof c === 'string' ? cluster(c) : c)), repo).map((f) => [f.path, manifests(f.content)]));
}

afterAll(removeWorkspaces);

describe('deploy/', () => {
  it('can be rendered again byte for byte from deploy/repository.yaml and clusters/', () => {
    const work = workspace('all', { deploy: true });
    synth(work);
    /** The build paths in the lock synth wrote in dist/<name>/. */
    const synthesised = (name: string): DeployCluster => {
      const lock = JSON.parse(fs.readFileSync(path.join(work, 'dist', name, LOCK_FILE), 'utf8')) as { gitopsPaths: string[] };
      return cluster(name, lock.gitopsPaths);
    };
    const settings = parseDeployRepo(DEPLOY_REPO_FILE, fs.readFileSync(path.join(work, DEPLOY_REPO_FILE), 'utf8'));
    expect(settings.findings).toEqual([]);
    const expected = renderDeploy(CLUSTERS.map(synthesised), settings.repo ?? REPO);
    const written = listFiles(path.join(work, 'deploy')).filter((f) => /^(argocd|flux)\//.test(f));
    // One Application and one Flux file per cluster, and the ApplicationSet.
    expect(expected).toHaveLength(2 * CLUSTERS.length + 1);
    expect(written).toEqual(expected.map((f) => f.path));
    for (const f of expected) expect([f.path, fs.readFileSync(path.join(work, 'deploy', f.path), 'utf8')]).toEqual([f.path, f.content]);
  });

  it('can render the same bytes whatever the order of the clusters', () => {
    expect(renderDeploy(['b', 'a', 'c'].map((c) => cluster(c)), REPO)).toEqual(renderDeploy(['c', 'b', 'a'].map((c) => cluster(c)), REPO));
  });

  it.each([
    ['a name that is not a DNS label', ['Prod'], 'is not a DNS-1123 label'],
    ['a cluster listed twice', ['prod', 'prod'], 'appears twice'],
  ])('fails on %s', (_, clusters, message) => {
    expect(() => renderDeploy(clusters.map((c) => cluster(c)), REPO)).toThrow(message);
  });

  it.each([
    ['a path outside the stage folders', ['01-policies', '../x']],
    ['a stage before the one it follows', ['03-configuration', '01-policies']],
    ['a folder below a shard', ['02-host-endpoints/shard-00/x']],
    ['a shard not named by hash bits', ['02-host-endpoints/shard-02']],
  ])('fails on %s in a lock', (_, paths) => {
    expect(() => renderDeploy([cluster('edge', paths)], REPO)).toThrow('is not a build path calico-shield writes');
  });
});

describe('Argo CD', () => {
  it('can build each shard of host endpoints as a source of its own', () => {
    const [app] = rendered([cluster('edge', SHARDED_PATHS)]).get('argocd/applications/edge.yaml') ?? [];
    expect((app.spec.sources as { path: string }[]).map((s) => s.path)).toEqual(SHARDED_PATHS.map((p) => `dist/edge/${p}`));
  });

  it('can sync each dist/<cluster>/ into the cluster whose Argo CD applies its Application', () => {
    const files = rendered(['edge', 'core']);
    for (const cluster of ['edge', 'core']) {
      const [app] = files.get(`argocd/applications/${cluster}.yaml`) ?? [];
      expect(app.kind).toBe('Application');
      expect(app.metadata.name).toBe(`calico-shield-${cluster}`);
      expect(app.spec.source).toBeUndefined();
      expect(app.spec.sources).toEqual(STAGE_PATHS.map((p) => ({ repoURL: REPO.repoURL, targetRevision: 'main', path: `dist/${cluster}/${p}` })));
      expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc' });
    }
  });

  it('can generate one Application per lock in dist/ but in hidden folders, each sent to the cluster of its name with a source per build path', () => {
    const [set] = rendered(['edge']).get('argocd/applicationset.yaml') ?? [];
    const spec = set.spec as { generators: unknown[]; template: { metadata: { name: string }; spec: Record<string, unknown> }; templatePatch: string };
    expect(spec.generators).toEqual([{ git: { repoURL: REPO.repoURL, revision: 'main', files: [{ path: 'dist/*/calico-shield.lock' }, { path: 'dist/.*/calico-shield.lock', exclude: true }] } }]);
    expect(spec.template.metadata.name).toBe('calico-shield-{{.path.basename}}');
    expect(spec.template.spec.destination).toEqual({ name: '{{.path.basename}}' });
    expect(spec.template.spec.source).toBeUndefined();
    // The patch ranges over the lock's gitopsPaths; each path is quoted by toJson, the URL and branch are JSON strings.
    expect(spec.templatePatch.split('\n')).toEqual([
      'spec:',
      '  sources:',
      '  {{- range .gitopsPaths }}',
      `    - repoURL: "${REPO.repoURL}"`,
      '      targetRevision: "main"',
      '      path: {{ printf "%s/%s" $.path.path . | toJson }}',
      '  {{- end }}',
      '',
    ]);
    expect(set.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
  });

  it('can render the patch the ApplicationSet applies into the sources of the per-cluster Application', () => {
    // Evaluates the patch's one range as Argo CD would, for a lock's paths, and compares the
    // result with the Application calico-shield renders for a cluster with those paths.
    const files = rendered([cluster('edge', SHARDED_PATHS)]);
    const [set] = files.get('argocd/applicationset.yaml') ?? [];
    const [app] = files.get('argocd/applications/edge.yaml') ?? [];
    const patch = (set.spec as { templatePatch: string }).templatePatch;
    const [head, body, tail] = [patch.split('  {{- range .gitopsPaths }}')[0], patch.split('  {{- range .gitopsPaths }}')[1].split('  {{- end }}')[0], patch.split('  {{- end }}')[1]];
    const evaluated = head + SHARDED_PATHS.map((p) => body.replace('{{ printf "%s/%s" $.path.path . | toJson }}', JSON.stringify(`dist/edge/${p}`))).join('') + tail;
    const [patched] = manifests(evaluated);
    expect(patched).toEqual({ spec: { sources: app.spec.sources } });
  });

  it('can sync automatically with prune, self-heal, prune-last and retries, without server-side apply for every object', () => {
    const files = rendered(['edge']);
    const [app] = files.get('argocd/applications/edge.yaml') ?? [];
    const [set] = files.get('argocd/applicationset.yaml') ?? [];
    const policy = app.spec.syncPolicy as { automated: unknown; syncOptions: string[]; retry: { limit: number } };
    expect(policy.automated).toEqual({ prune: true, selfHeal: true });
    expect(policy.syncOptions).toContain('PruneLast=true');
    expect(policy.syncOptions).toContain('ClientSideApplyMigration=false');
    expect(policy.syncOptions.filter((o) => o.startsWith('ServerSideApply'))).toEqual([]);
    expect(policy.retry.limit).toBe(5);
    expect((set.spec.template as { spec: { syncPolicy: unknown } }).spec.syncPolicy).toEqual(policy);
  });
});

describe('Flux', () => {
  it('can apply the three stage folders of one cluster from a source that holds only that folder', () => {
    const docs = rendered(['edge']).get('flux/edge.yaml') ?? [];
    expect(docs.map((d) => d.kind)).toEqual(['GitRepository', ...STAGES.map(() => 'Kustomization')]);
    expect(docs[0].spec).toEqual({
      interval: '1m',
      url: REPO.repoURL,
      ref: { branch: 'main' },
      ignore: '/*\n!/dist/\n/dist/*\n!/dist/edge/\n',
    });
    expect(docs.slice(1).map((d) => d.spec.path)).toEqual(STAGES.map((s) => `./dist/edge/${s.folder}`));
  });

  it('can keep only a nested cluster folder in the source', () => {
    const [source] = rendered(['edge'], { ...REPO, path: 'gitops/dist' }).get('flux/edge.yaml') ?? [];
    expect(source.spec.ignore).toBe('/*\n!/gitops/\n/gitops/*\n!/gitops/dist/\n/gitops/dist/*\n!/gitops/dist/edge/\n');
  });

  it('can apply each shard on its own after the policies, and the configuration after every shard', () => {
    const docs = rendered([cluster('edge', SHARDED_PATHS)]).get('flux/edge.yaml') ?? [];
    const kustomizations = docs.slice(1).map((d) => [d.metadata.name, d.spec.path, ((d.spec.dependsOn as { name: string }[] | undefined) ?? []).map((x) => x.name)]);
    expect(kustomizations).toEqual([
      ['calico-shield-policies', './dist/edge/01-policies', []],
      ['calico-shield-host-endpoints-shard-00', './dist/edge/02-host-endpoints/shard-00', ['calico-shield-policies']],
      ['calico-shield-host-endpoints-shard-01', './dist/edge/02-host-endpoints/shard-01', ['calico-shield-policies']],
      ['calico-shield-host-endpoints-shard-11', './dist/edge/02-host-endpoints/shard-11', ['calico-shield-policies']],
      ['calico-shield-configuration', './dist/edge/03-configuration', ['calico-shield-host-endpoints-shard-00', 'calico-shield-host-endpoints-shard-01', 'calico-shield-host-endpoints-shard-11']],
    ]);
  });

  it('can name the Kustomizations within the 63 characters of the label Flux copies the name into', () => {
    const longest = 'c'.repeat(63);
    const docs = rendered([cluster(longest, ['01-policies', '02-host-endpoints/shard-1111111111', '03-configuration'])]).get(`flux/${longest}.yaml`) ?? [];
    // The GitRepository and one Kustomization per path, or the loop below would check nothing.
    expect(docs.map((d) => d.kind)).toEqual(['GitRepository', ...STAGES.map(() => 'Kustomization')]);
    for (const doc of docs) expect(doc.metadata.name.length).toBeLessThanOrEqual(63);
    expect(new Set(docs.map((d) => d.metadata.name)).size).toBe(docs.length);
  });
});

describe('parseDeployRepo', () => {
  it('can read the three settings', () => {
    expect(parseDeployRepo('deploy/repository.yaml', 'repoURL: git@git.example.com:platform/gitops.git\nrevision: release/1.x\npath: gitops/dist\n')).toEqual({
      repo: { repoURL: 'git@git.example.com:platform/gitops.git', revision: 'release/1.x', path: 'gitops/dist' },
      findings: [],
    });
  });

  it.each<[string, string, string, number, number]>([
    ['a URL that is not a Git URL', 'repoURL: git.example.com/gitops\nrevision: main\npath: dist\n', 'bad-repourl', 1, 10],
    ['a URL with a space', 'repoURL: "https://git.example.com/my gitops.git"\nrevision: main\npath: dist\n', 'bad-repourl', 1, 10],
    ['a URL with Go template syntax, which the ApplicationSet would evaluate', 'repoURL: "https://git.example.com/{{.path.path}}.git"\nrevision: main\npath: dist\n', 'bad-repourl', 1, 10],
    ['a URL with a control character', 'repoURL: "https://git.example.com/g\\e[2J.git"\nrevision: main\npath: dist\n', 'bad-repourl', 1, 10],
    ['a URL with a double quote', "repoURL: 'https://git.example.com/g\".git'\nrevision: main\npath: dist\n", 'bad-repourl', 1, 10],
    ['a branch that starts with "-"', 'repoURL: https://git.example.com/g.git\nrevision: -main\npath: dist\n', 'bad-revision', 2, 11],
    ['an absolute path', 'repoURL: https://git.example.com/g.git\nrevision: main\npath: /dist\n', 'bad-path', 3, 7],
    ['a path that climbs out', 'repoURL: https://git.example.com/g.git\nrevision: main\npath: ../dist\n', 'bad-path', 3, 7],
    ['a path with a trailing "/"', 'repoURL: https://git.example.com/g.git\nrevision: main\npath: dist/\n', 'bad-path', 3, 7],
    ['a number for a branch', 'repoURL: https://git.example.com/g.git\nrevision: 1\npath: dist\n', 'not-a-string', 2, 11],
    ['an unknown field', 'repoURL: https://git.example.com/g.git\nrevision: main\npath: dist\nbranch: main\n', 'unknown-field', 4, 1],
    ['a missing field', 'repoURL: https://git.example.com/g.git\npath: dist\n', 'missing-field', 1, 1],
    ['a list', '- repoURL: https://git.example.com/g.git\n', 'not-a-mapping', 1, 1],
    ['a duplicate key', 'repoURL: https://a.example/g.git\nrepoURL: https://b.example/g.git\nrevision: main\npath: dist\n', 'yaml-duplicate-key', 2, 1],
  ])('fails on %s', (_, text, code, line, col) => {
    const result = parseDeployRepo('deploy/repository.yaml', text);
    expect(result.repo).toBeUndefined();
    expect(result.findings.map((f) => [f.code, f.file, f.line, f.col])).toEqual([[code, 'deploy/repository.yaml', line, col]]);
  });
});

describe('deploy settings for Argo CD and Flux', () => {
  const SETTINGS: DeployRepo = {
    ...REPO,
    argocd: { namespace: 'gitops', project: 'platform' },
    flux: { namespace: 'flux', secretRef: 'calico-shield-git', kubeConfigSecretRef: 'edge-kubeconfig' },
  };

  it('can read the argocd and flux sections', () => {
    const text = [
      'repoURL: https://git.example.com/g.git',
      'revision: main',
      'path: dist',
      'argocd: {namespace: gitops, project: platform}',
      'flux:',
      '  namespace: flux',
      '  secretRef: calico-shield-git',
      '  kubeConfigSecretRef: edge-kubeconfig',
      '',
    ].join('\n');
    expect(parseDeployRepo('deploy/repository.yaml', text)).toEqual({ repo: { ...SETTINGS, repoURL: 'https://git.example.com/g.git' }, findings: [] });
  });

  it.each<[string, string, string, string, number, number]>([
    ['a namespace that is not a DNS label', 'argocd: {namespace: Argo_CD}', 'bad-namespace', 'argocd.namespace', 4, 21],
    ['a secret name that is not an object name', 'flux: {secretRef: "git creds"}', 'bad-secretref', 'flux.secretRef', 4, 19],
    ['an unknown setting', 'flux: {sshKey: x}', 'unknown-field', 'flux.sshKey', 4, 8],
    ['a section that is not a mapping', 'argocd: argocd', 'not-a-mapping', 'argocd', 4, 1],
  ])('fails on %s', (_, line, code, field, lineNo, col) => {
    const result = parseDeployRepo('deploy/repository.yaml', `repoURL: https://git.example.com/g.git\nrevision: main\npath: dist\n${line}\n`);
    expect(result.repo).toBeUndefined();
    expect(result.findings.map((f) => [f.code, f.field, f.line, f.col])).toEqual([[code, field, lineNo, col]]);
  });

  it('can put the Applications in the Argo CD namespace and project given', () => {
    const files = rendered(['edge'], SETTINGS);
    const [app] = files.get('argocd/applications/edge.yaml') ?? [];
    const [set] = files.get('argocd/applicationset.yaml') ?? [];
    expect([app.metadata, app.spec.project]).toEqual([expect.objectContaining({ namespace: 'gitops' }), 'platform']);
    expect([(set.metadata as { namespace?: string }).namespace, (set.spec.template as { spec: { project: string } }).spec.project]).toEqual(['gitops', 'platform']);
  });

  it('can give Flux the Git credentials and a remote cluster kubeconfig', () => {
    const docs = rendered(['edge'], SETTINGS).get('flux/edge.yaml') ?? [];
    expect(docs.map((d) => (d.metadata as { namespace?: string }).namespace)).toEqual(docs.map(() => 'flux'));
    expect(docs[0].spec.secretRef).toEqual({ name: 'calico-shield-git' });
    for (const k of docs.slice(1)) expect(k.spec.kubeConfig).toEqual({ secretRef: { name: 'edge-kubeconfig', key: 'value' } });
  });

  it('can pass the schemas of the CRDs Argo CD v3.5.1 and Flux (kustomize-controller v1.9.4, source-controller v1.9.1) serve', () => {
    const validators = ['argocd-v3.5.1', 'flux-kustomize-controller-v1.9.4', 'flux-source-controller-v1.9.1'].map((d) => loadCrdValidators(path.join(ROOT, 'crds', d)));
    const kinds = new Map(validators.flatMap((v) => v.kinds.map((k) => [k, v] as const)));
    expect([...kinds.keys()].sort()).toEqual(['Application', 'ApplicationSet', 'GitRepository', 'Kustomization']);
    let checked = 0;
    for (const repo of [REPO, SETTINGS]) {
      for (const [file, docs] of rendered([cluster('edge', SHARDED_PATHS), 'core'], repo)) {
        for (const doc of docs) {
          const validator = kinds.get(doc.kind);
          expect([file, doc.kind, validator === undefined]).toEqual([file, doc.kind, false]);
          expect([file, doc.kind, validator?.validate(doc)]).toEqual([file, doc.kind, []]);
          checked++;
        }
      }
    }
    // Two settings × (ApplicationSet, two Applications, two Flux files of a GitRepository and 3 or 5 Kustomizations).
    expect(checked).toBe(2 * (1 + 2 + (1 + 5) + (1 + 3)));
  });
});
