/**
 * deploy/: the Argo CD and Flux manifests that point at dist/. The committed files must be what
 * renderDeploy makes of deploy/repository.yaml and clusters/, as dist/ must be what synth makes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { STAGES } from '../../lib/charts/metadata';
import { DEPLOY_REPO_FILE, DeployRepo, parseDeployRepo, renderDeploy } from '../../lib/gitops/deploy';
import { CLUSTERS, listFiles } from '../support/cli';
import { ROOT } from '../support/compile';

const REPO: DeployRepo = { repoURL: 'https://git.example.com/platform/calico-shield-gitops.git', revision: 'main', path: 'dist' };

type Manifest = Record<string, unknown> & { kind: string; metadata: { name: string }; spec: Record<string, unknown> };

function manifests(text: string): Manifest[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error('not YAML');
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS() as Manifest).filter((m) => m !== null);
}

function rendered(clusters: readonly string[], repo: DeployRepo = REPO): Map<string, Manifest[]> {
  return new Map(renderDeploy(clusters, repo).map((f) => [f.path, manifests(f.content)]));
}

describe('deploy/', () => {
  it('can be rendered again byte for byte from deploy/repository.yaml and clusters/', () => {
    const settings = parseDeployRepo(DEPLOY_REPO_FILE, fs.readFileSync(path.join(ROOT, DEPLOY_REPO_FILE), 'utf8'));
    expect(settings.findings).toEqual([]);
    const expected = renderDeploy(CLUSTERS, settings.repo ?? REPO);
    const committed = listFiles(path.join(ROOT, 'deploy')).filter((f) => /^(argocd|flux)\//.test(f));
    // One Application and one Flux file per cluster, and the ApplicationSet.
    expect(expected).toHaveLength(2 * CLUSTERS.length + 1);
    expect(committed).toEqual(expected.map((f) => f.path));
    for (const f of expected) expect([f.path, fs.readFileSync(path.join(ROOT, 'deploy', f.path), 'utf8')]).toEqual([f.path, f.content]);
  });

  it('can render the same bytes whatever the order of the clusters', () => {
    expect(renderDeploy(['b', 'a', 'c'], REPO)).toEqual(renderDeploy(['c', 'b', 'a'], REPO));
  });

  it.each([
    ['a name that is not a DNS label', ['Prod'], 'is not a DNS-1123 label'],
    ['a cluster listed twice', ['prod', 'prod'], 'appears twice'],
  ])('fails on %s', (_, clusters, message) => {
    expect(() => renderDeploy(clusters, REPO)).toThrow(message);
  });
});

describe('Argo CD', () => {
  it('can sync each dist/<cluster>/ into the cluster whose Argo CD applies its Application', () => {
    const files = rendered(['edge', 'core']);
    for (const cluster of ['edge', 'core']) {
      const [app] = files.get(`argocd/applications/${cluster}.yaml`) ?? [];
      expect(app.kind).toBe('Application');
      expect(app.metadata.name).toBe(`calico-shield-${cluster}`);
      expect(app.spec.source).toEqual({ repoURL: REPO.repoURL, targetRevision: 'main', path: `dist/${cluster}` });
      expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc' });
    }
  });

  it('can generate one Application per folder of dist/ but hidden ones, each sent to the cluster of its name', () => {
    const [set] = rendered(['edge']).get('argocd/applicationset.yaml') ?? [];
    const spec = set.spec as { generators: { git: { directories: unknown[] } }[]; template: { metadata: { name: string }; spec: Record<string, unknown> } };
    expect(spec.generators).toEqual([{ git: { repoURL: REPO.repoURL, revision: 'main', directories: [{ path: 'dist/*' }, { path: 'dist/.*', exclude: true }] } }]);
    expect(spec.template.metadata.name).toBe('calico-shield-{{.path.basename}}');
    expect(spec.template.spec.destination).toEqual({ name: '{{.path.basename}}' });
    expect(spec.template.spec.source).toEqual({ repoURL: REPO.repoURL, targetRevision: 'main', path: '{{.path.path}}' });
    expect(set.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
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

  it('can name the Kustomizations within the 63 characters of the label Flux copies the name into', () => {
    const longest = 'c'.repeat(63);
    const docs = rendered([longest]).get(`flux/${longest}.yaml`) ?? [];
    // The GitRepository and one Kustomization per stage, or the loop below would check nothing.
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
