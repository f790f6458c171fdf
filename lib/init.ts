/**
 * `calico-shield init [DIR]`: a GitOps repository that uses the calico-shield package.
 *
 *   clusters/example.yaml          one commented cluster spec, to copy and edit
 *   deploy/repository.yaml         where Argo CD and Flux fetch dist/ (a placeholder URL)
 *   main.ts, cdk8s.yaml            a cdk8s App of the clusters (for cdk8s users' own charts)
 *   test/calico-shield.test.mjs    the clusters' check: dist/ and deploy/ are what the specs compile to
 *   .github/workflows/calico-shield.yaml   CI: synth, the drift gate, check, the test
 *   README.md, .gitignore, .gitattributes (dist/ collapsed in pull requests, ACCESS.md not)
 *   package.json                   an npm script per step (created, or its scripts added to)
 *
 * Nothing is overwritten: a file that exists stops init before it writes anything (package.json
 * excepted, whose missing scripts are added). Files are created exclusively, so a link or a file
 * appearing meanwhile is never followed or replaced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError, readRegularFileOrFail, writeNewFile } from './io/files';
import { ancestors } from './gitops/writer';
import { GENERATOR_VERSION } from './version';

/** The current Node.js LTS line the scaffolded CI runs on. */
const NODE_LTS = '24';

const SCRIPTS: Readonly<Record<string, string>> = {
  synth: 'calico-shield synth',
  check: 'calico-shield check',
  explain: 'calico-shield explain',
  'nodes:import': 'calico-shield nodes import',
  test: 'node --test test/calico-shield.test.mjs',
  cdk8s: 'CDK8S_CHECK_UPGRADE=false cdk8s',
};

const EXAMPLE_CLUSTER = `# yaml-language-server: $schema=../node_modules/calico-shield/schemas/cluster.v1alpha1.schema.json
# One cluster: its file name (example.yaml) is its name, and dist/example/ is what
# calico-shield writes for it. Field by field: node_modules/calico-shield/docs/spec.md.
#
# This one protects Calico's Prometheus metrics endpoints on a two-node cluster (deny-list:
# all other host traffic stays allowed). Replace the nodes and networks with yours, or list
# your nodes from the cluster: kubectl get nodes -o json | npx calico-shield nodes import --cluster example
apiVersion: calico-shield/v1alpha1
kind: Cluster
metadata:
  name: example
spec:
  approach: deny-list
  # The cluster the objects land on: how Calico was installed and how pod traffic leaves a node
  # (calico-shield proves every path with these; docs/spec.md#environment).
  environment:
    install: manifests
    ipPools: [{cidr: 192.168.0.0/16, natOutgoing: false}]
    encapsulation: None
  nodes:
    - name: node-1
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.11]
    - name: node-2
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.12]
  metrics:
    # Sources labelled calico-prometheus-access: "true", and these networks, may scrape.
    allowedNets: [172.16.0.0/24]
    calicoNode: {}
    typha: {}
`;

const REPOSITORY = `# Where Argo CD and Flux fetch dist/ from. \`npm run synth\` renders deploy/argocd/ and
# deploy/flux/ from this file: change the URL here, never in the rendered manifests.
# The URL below is a placeholder: replace it with this repository's URL.
repoURL: https://git.example.com/platform/calico-shield-gitops.git
# The branch Argo CD and Flux follow.
revision: main
# The folder that holds one folder per cluster, relative to the repository root.
path: dist
# Optional: where the Argo CD and Flux objects go, and the Secrets they use.
# argocd: {namespace: argocd, project: default}
# flux: {namespace: flux-system, secretRef: calico-shield-git, kubeConfigSecretRef: edge-kubeconfig}
`;

const MAIN_TS = `// A cdk8s App of every clusters/<name>.yaml: one Chart per cluster with its calico-shield
// construct, for cdk8s users who add charts of their own (npm run cdk8s -- synth). Argo CD and
// Flux apply dist/, which \`npm run synth\` writes.
import { App } from 'cdk8s';
import { addClusterCharts, loadClusterProps } from 'calico-shield';

const app = new App();
addClusterCharts(app, loadClusterProps('clusters'));
app.synth();
`;

const CDK8S_YAML = `language: typescript
app: npx ts-node main.ts
output: cdk8s.out
`;

const TEST = `// The clusters' test: dist/ and deploy/ must be exactly what clusters/ compiles to, so a spec
// changed without \`npm run synth\`, or a hand edit of dist/, fails here (and in CI).
// dist/ is the snapshot of the clusters: \`npm run synth\` refreshes it; review it in the pull request.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const cli = join(dirname(createRequire(import.meta.url).resolve('calico-shield/package.json')), 'bin', 'calico-shield.js');

test('dist/ and deploy/ are what clusters/ compiles to', () => {
  const run = spawnSync(process.execPath, [cli, 'check'], { encoding: 'utf8' });
  assert.equal(run.status, 0, \`calico-shield check failed: run npm run synth and commit dist/ and deploy/\\n\${run.stdout}\${run.stderr}\`);
  assert.match(run.stdout, /^dist\\/ is up to date \\(\\d+ clusters?\\)$/m);
});
`;

const WORKFLOW = `# calico-shield on every pull request: dist/ and deploy/ must be what the specs compile to.
name: calico-shield
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  pull-requests: write
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-node@v4
        with:
          node-version: "${NODE_LTS}"
          cache: npm
      - run: npm ci
      - run: npm run synth
      - name: dist/ and deploy/ are committed as synth writes them
        run: |
          git add --intent-to-add -- dist deploy
          git diff --exit-code -- dist deploy
      - run: npx calico-shield check --format github
      - run: npm test
      # Who gains or loses access, base branch against the pull request, as a comment of it.
      - name: access report
        if: github.event_name == 'pull_request'
        env:
          GH_TOKEN: \${{ github.token }}
          BASE: origin/\${{ github.base_ref }}
          PR: \${{ github.event.pull_request.number }}
        run: |
          npx calico-shield diff-access "$BASE" > access.md
          cat access.md >> "$GITHUB_STEP_SUMMARY"
          gh pr comment "$PR" --body-file access.md --edit-last || gh pr comment "$PR" --body-file access.md
`;

const README = `# Calico protection, compiled by calico-shield

\`clusters/<name>.yaml\` describes a cluster; \`npm run synth\` compiles it into \`dist/<name>/\`, which
Argo CD or Flux applies (\`deploy/\` holds their manifests, rendered from \`deploy/repository.yaml\`).

| Step | Command |
|---|---|
| Add or change a cluster | edit \`clusters/<name>.yaml\`, then \`npm run synth\` and commit \`clusters/\`, \`dist/\` and \`deploy/\` |
| See who gains or loses access | \`dist/<name>/ACCESS.md\` in the pull request |
| Ask about one connection | \`npm run explain -- --cluster <name> "ip 10.0.0.5 -> host node-1:9091"\` |
| List a cluster's nodes | \`kubectl get nodes -o json \\| npm run nodes:import -- --cluster <name>\` |
| Test | \`npm test\` (what CI runs, with \`npm run check\`) |

Before Argo CD or Flux syncs anything, replace the placeholder URL in \`deploy/repository.yaml\` and
run \`npm run synth\`. The spec format, the guard rails and the GitOps layout are documented in
\`node_modules/calico-shield/docs/\`.
`;

const GITIGNORE = `node_modules/
cdk8s.out/
`;

const GITATTRIBUTES = `# dist/ is written by calico-shield synth: collapsed in pull requests, except ACCESS.md, the
# report of who reaches what. LF line ends everywhere: calico-shield check compares bytes.
dist/** linguist-generated=true
dist/**/ACCESS.md linguist-generated=false
clusters/** text eol=lf
dist/** text eol=lf
deploy/** text eol=lf
`;

/** What init wrote, relative to the folder. */
export interface InitResult {
  readonly written: readonly string[];
  /** Scripts added to an existing package.json. */
  readonly scriptsAdded: readonly string[];
  /** Scripts package.json already had with other commands, left as they were, with calico-shield's command. */
  readonly scriptsKept: readonly { readonly name: string; readonly ours: string }[];
}

/**
 * Scaffolds `dir` (created when missing). Throws FileError, having written nothing, when a file
 * it would create exists or package.json is not a JSON object.
 */
export function initRepository(dir: string): InitResult {
  const files: Readonly<Record<string, string>> = {
    'clusters/example.yaml': EXAMPLE_CLUSTER,
    'deploy/repository.yaml': REPOSITORY,
    'main.ts': MAIN_TS,
    'cdk8s.yaml': CDK8S_YAML,
    'test/calico-shield.test.mjs': TEST,
    '.github/workflows/calico-shield.yaml': WORKFLOW,
    'README.md': README,
    '.gitignore': GITIGNORE,
    '.gitattributes': GITATTRIBUTES,
  };
  // Every folder on the way must be a real folder (or missing): a link would send the files
  // outside the repository, wherever it points.
  for (const folder of [dir, ...new Set(Object.keys(files).flatMap((f) => ancestors(f).map((a) => path.join(dir, a))))]) {
    const entry = fs.lstatSync(folder, { throwIfNoEntry: false });
    if (entry !== undefined && !entry.isDirectory()) {
      throw new FileError(folder, entry.isSymbolicLink() ? 'is a symbolic link: init writes only into real folders' : 'is not a folder', 'remove it, or run init in another folder');
    }
  }
  const staged = path.join(dir, 'package.json.calico-shield-init');
  const existing = [...Object.keys(files), ...(fs.lstatSync(staged, { throwIfNoEntry: false }) !== undefined ? ['package.json.calico-shield-init'] : [])].filter(
    (f) => fs.lstatSync(path.join(dir, f), { throwIfNoEntry: false }) !== undefined,
  );
  if (existing.length > 0) {
    throw new FileError(path.join(dir, existing[0]), `exists already${existing.length > 1 ? ` (and ${existing.slice(1).join(', ')})` : ''}: init writes a new repository and overwrites nothing`, 'run init in an empty folder, or move these files away first');
  }
  const packageFile = path.join(dir, 'package.json');
  const hadPackage = fs.lstatSync(packageFile, { throwIfNoEntry: false }) !== undefined;
  const pkg = hadPackage ? parsePackage(packageFile) : newPackage(dir);
  const scripts: Record<string, string> = { ...(isStringRecord(pkg['scripts']) ? pkg['scripts'] : {}) };
  const added: string[] = [];
  const kept: { name: string; ours: string }[] = [];
  for (const [name, command] of Object.entries(SCRIPTS)) {
    if (scripts[name] === undefined || (name === 'test' && /no test specified/.test(scripts[name] ?? ''))) {
      scripts[name] = command;
      added.push(name);
    } else if (scripts[name] !== command) kept.push({ name, ours: command });
  }
  const devDependencies = isStringRecord(pkg['devDependencies']) ? { ...pkg['devDependencies'] } : {};
  // For `npm run cdk8s -- synth` of main.ts; calico-shield itself needs none of them.
  for (const [name, version] of Object.entries({ 'cdk8s-cli': '^2.200.0', 'ts-node': '^10.9.2', typescript: '^5.9.0' })) devDependencies[name] ??= version;
  const dependencies = isStringRecord(pkg['dependencies']) ? { ...pkg['dependencies'] } : {};
  dependencies['calico-shield'] ??= `^${GENERATOR_VERSION}`;
  const nextPackage = `${JSON.stringify({ ...pkg, scripts, dependencies, devDependencies }, null, 2)}\n`;

  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeNewFile(path.join(dir, file), content);
    written.push(file);
  }
  if (hadPackage) {
    writeNewFile(staged, nextPackage);
    fs.renameSync(staged, packageFile);
  } else writeNewFile(packageFile, nextPackage);
  written.push('package.json');
  return { written, scriptsAdded: added, scriptsKept: kept };
}

function parsePackage(file: string): Record<string, unknown> {
  const text = readRegularFileOrFail(file).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FileError(file, 'is not JSON', 'fix package.json, or run init in a folder without one');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FileError(file, 'is not a JSON object', 'fix package.json, or run init in a folder without one');
  return value as Record<string, unknown>;
}

function newPackage(dir: string): Record<string, unknown> {
  const base = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return { name: base || 'calico-shield-gitops', private: true };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
