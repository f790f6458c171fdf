/**
 * `npm run bench`: the "Fleet scale" benchmark (see BENCHMARKS.md for what and why).
 *
 *   node build/bench.js             full run, rewrites the results in BENCHMARKS.md
 *   node build/bench.js --quick     1,000 nodes, one repetition, BENCHMARKS.md untouched
 *   node build/bench.js --profile   CPU profile of the 5,000-node deny-list synth, summarised
 *                                   into the profile section of BENCHMARKS.md
 *
 * Everything it generates lives in a temporary folder, never in clusters/ or dist/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { objectYaml, sha256 } from '../lib/gitops/render';
import { compileCluster } from '../lib/pipeline';
import { formatFinding } from '../lib/spec/errors';
import type { BaselineInput, BaselineTiming } from './baseline';
import { DENSE_SERVER_COUNT, denseFleetSpec, FleetCase, fleetCase, fleetSpec, NETWORK_COUNT, SERVER_COUNT } from './fleet';
import { replaceBetweenMarkers } from './markdown';
import { ProcessRun, run, runNode, Stats, stats, succeeds, usageMethod } from './measure';
import { profileMarkdown, summariseProfile } from './profile';

/** build/bench.js → the repository. */
const ROOT = path.resolve(__dirname, '..');
const BENCHMARKS = path.join(ROOT, 'BENCHMARKS.md');
const BASELINE_JS = path.join(__dirname, 'bench-baseline.js');
const APPROACHES = ['deny-list', 'allow-list'] as const;

/**
 * Node counts and repetitions; 10,000 nodes take long enough for three to settle. The ratio to
 * the baseline is judged at 5,000 nodes, where one run's ratio moved by ±0.25 on this machine
 * with five repetitions (the same code gave 1.19× and 1.62×): nine narrow the median.
 */
const FULL = { sizes: [1000, 5000, 10000], repetitions: new Map([[1000, 5], [5000, 9], [10000, 3]]), coldRepetitions: 5, fleet: { clusters: 100, nodes: 100 }, dense: { sizes: [1000, 10000], repetitions: 3 } };
const QUICK = { sizes: [1000], repetitions: new Map([[1000, 1]]), coldRepetitions: 1, fleet: { clusters: 10, nodes: 100 }, dense: { sizes: [1000], repetitions: 1 } };

const TARGET = {
  /** Full pipeline at 5,000 nodes, as a multiple of the baseline's serialise + write. */
  overBaselineAt5000: 1.5,
  /** Pipeline time at 10,000 nodes over 1,000. */
  scaling: 11,
  /** ts-node time over the bundled cold synth. */
  coldSpeedup: 5,
  /** Peak RSS of the pipeline at 10,000 nodes, in MB (10^6 bytes). */
  peakRssMB: 400,
  /** Slowest `kubectl kustomize` of one build path at 10,000 nodes, in seconds. */
  buildSeconds: 10,
  /**
   * Each kind of build path (the folder it is in: `01-policies`, `02-host-endpoints`, …), its
   * slowest build at 10,000 nodes over its slowest at 1,000.
   */
  buildScaling: 11,
  /** Pipeline time of the dense fleet (bench/fleet.ts denseFleetSpec) at 10,000 nodes over 1,000. */
  denseScaling: 11,
};

/**
 * Runs of `kubectl kustomize` per build path, of which the median counts, in rounds over every
 * cluster folder (see measureBuilds). One run each let a single slow or fast 1,000-node sum
 * (about 2 s, 6 paths) move the 10k ÷ 1k ratio by 50 %.
 */
const BUILD_RUNS = 3;

interface Prepared {
  readonly fleet: FleetCase;
  readonly clustersDir: string;
  readonly baselineJson: string;
  readonly objects: number;
  readonly outputBytes: number;
  /** SHA-256 of every file the in-process compile rendered, by path under the out folder. */
  readonly expected: ReadonlyMap<string, string>;
  /** The object files (paths under the out folder) the baseline writes too. */
  readonly yamlFiles: readonly string[];
}

interface CaseResult {
  readonly prepared: Prepared;
  readonly pipeline: readonly ProcessRun[];
  readonly baseline: readonly { readonly run: ProcessRun; readonly timing: BaselineTiming }[];
  /** The cluster folder of the first pipeline run, kept for the builds. */
  readonly folder: string;
  /** What Argo CD and Flux build; undefined without kubectl. */
  readonly builds?: Builds;
}

/** `kubectl kustomize` of every build path of one cluster (the lock's gitopsPaths), one after the other. */
interface Builds {
  readonly paths: number;
  /** The most host endpoints in one build path. */
  readonly largestShard: number;
  readonly slowest: { readonly path: string; readonly ms: number };
  /** The slowest build of each kind of path (its first folder: `01-policies`, `02-host-endpoints`, …). */
  readonly slowestByKind: ReadonlyMap<string, number>;
  readonly totalMs: number;
  /** The root folder dist/<cluster>/ in one build, as Argo CD and Flux built it before the shards: at 1,000 nodes only. */
  readonly rootMs?: number;
}

/** The dense fleet (servers on every node, every node their client): synth runs per size. */
interface DenseResult {
  readonly nodes: number;
  readonly runs: readonly ProcessRun[];
}

/** A fleet of many small clusters in one repository. */
interface FleetOfClusters {
  readonly clusters: number;
  readonly nodes: number;
  /** synth into an empty dist/: every cluster compiled and written. */
  readonly first: ProcessRun;
  /** synth again: every cluster's lock matches, nothing compiled. */
  readonly unchanged: ProcessRun;
  /** one spec edited, synth: that cluster compiled. */
  readonly oneChanged: ProcessRun;
  /** synth --cluster of that one. */
  readonly oneCluster: ProcessRun;
  /** check: every cluster compiled and compared. */
  readonly check: ProcessRun;
}

interface ColdResult {
  readonly bundledMs: readonly number[];
  /** Undefined when ts-node is not installed. */
  readonly tsNodeMs?: readonly number[];
}

function main(): void {
  const args = process.argv.slice(2);
  const unknown = args.find((a) => a !== '--quick' && a !== '--profile');
  if (unknown !== undefined) throw new Error(`unknown option ${unknown}; usage: npm run bench [-- --quick | --profile]`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'calico-shield-bench-'));
  try {
    if (args.includes('--profile')) profile(tmp);
    else bench(args.includes('--quick'), tmp);
  } catch (error) {
    log(`the benchmark failed; its files are left in ${tmp}`);
    throw error;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

function bench(quick: boolean, tmp: string): void {
  const plan = quick ? QUICK : FULL;
  const started = Date.now();
  // Other processes make the numbers noisy: the report shows how busy the machine was.
  const loadBefore = os.loadavg()[0];
  // Snapshots, so that a concurrent `npm run build` cannot change the code under test halfway.
  const cli = snapshotCli(tmp);
  const app = copyApp(tmp);
  const measured: CaseResult[] = [];
  for (const nodes of plan.sizes) {
    for (const approach of APPROACHES) {
      measured.push(measureCase(tmp, prepare(tmp, fleetCase(nodes, approach)), cli, plan.repetitions.get(nodes) ?? 1));
    }
  }
  const builds = measureBuilds(measured);
  const results = measured.map((r, i): CaseResult => ({ ...r, ...(builds ? { builds: builds[i] } : {}) }));
  const dense = plan.dense.sizes.map((nodes) => measureDense(tmp, cli, nodes, plan.dense.repetitions));
  const cold = coldSynth(app, plan.coldRepetitions);
  const fleet = measureFleet(tmp, cli, plan.fleet.clusters, plan.fleet.nodes);
  const markdown = report(results, dense, cold, fleet, { quick, minutes: Math.ceil((Date.now() - started) / 60000), load: [loadBefore, os.loadavg()[0]] });
  process.stdout.write(`\n${markdown}\n`);
  if (quick) log('--quick: BENCHMARKS.md left as it is');
  else {
    replaceBetweenMarkers(BENCHMARKS, 'bench', markdown);
    log(`results written to ${path.relative(process.cwd(), BENCHMARKS)}`);
  }
}

/** bin/calico-shield.js and the bundle it loads, with its code cache, copied aside, as the package installs them. */
function snapshotCli(tmp: string): string {
  const app = path.join(tmp, 'cli');
  const rebuild = 'bench/build.js builds it (npm run bench), as node scripts/bundle.js --code-cache does';
  if (!fs.existsSync(path.join(ROOT, 'build', 'cli.cache'))) throw new Error(`build/cli.cache is missing: ${rebuild}`);
  for (const file of ['bin/calico-shield.js', 'bin/code-cache.js', 'build/cli.js', 'build/cli.js.map', 'build/cli.cache']) {
    fs.mkdirSync(path.join(app, path.dirname(file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(app, file));
  }
  // Timed with the cache the command would use: a run without it would measure another program.
  const loader = path.join(app, 'bin', 'code-cache.js');
  const cache = run(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(path.join(app, 'build', 'cli.js'))}).cache)`], tmp).stdout;
  if (cache !== 'used') throw new Error(`the code cache of build/cli.js is ${cache}, not used: ${rebuild}`);
  return path.join(app, 'bin', 'calico-shield.js');
}

/** The sources of the cdk8s app with only the example cluster, for the cold synth. */
function copyApp(tmp: string): string {
  const app = path.join(tmp, 'app');
  for (const entry of ['main.ts', 'lib', 'imports', 'scripts', 'package.json', 'tsconfig.json', 'cdk8s.yaml', 'clusters/example.yaml']) {
    fs.cpSync(path.join(ROOT, entry), path.join(app, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
  return app;
}

/** Writes the spec, compiles it once in this process and saves the objects for the baseline. */
function prepare(tmp: string, fleet: FleetCase): Prepared {
  log(`${fleet.name}: generating and compiling once`);
  const clustersDir = path.join(tmp, `clusters-${fleet.name}`);
  fs.mkdirSync(clustersDir);
  const file = path.join(clustersDir, `${fleet.name}.yaml`);
  fs.writeFileSync(file, fleetSpec(fleet));
  // Named as the CLI names it (relative to its working folder, tmp): the name shows in ACCESS.md.
  const result = compileCluster({ file: path.relative(tmp, file), name: fleet.name, bytes: fs.readFileSync(file) });
  if (result.files === undefined || result.objects === undefined) {
    throw new Error(`${fleet.name} does not compile:\n${result.findings.map(formatFinding).join('\n')}`);
  }
  // Each object file's objects, in file order: the documents are the objects' YAML, so match them back.
  const byYaml = new Map(result.objects.map((o) => [`---\n${objectYaml(o)}`, o]));
  const files = result.files
    .filter((f) => f.content.startsWith('---\n'))
    .map((f) => ({
      path: `${fleet.name}/${f.path}`,
      objects: f.content.split(/^(?=---\n)/m).map((doc) => {
        const o = byYaml.get(doc);
        if (o === undefined) throw new Error(`${f.path}: a document is not the YAML of any emitted object`);
        return o;
      }),
    }));
  const input: BaselineInput = { files };
  const baselineJson = path.join(tmp, `objects-${fleet.name}.json`);
  fs.writeFileSync(baselineJson, JSON.stringify(input));
  return {
    fleet,
    clustersDir,
    baselineJson,
    objects: result.objects.length,
    outputBytes: result.files.reduce((n, f) => n + Buffer.byteLength(f.content), 0),
    expected: new Map(result.files.map((f) => [`${fleet.name}/${f.path}`, sha256(f.content)])),
    yamlFiles: files.map((f) => f.path),
  };
}

/** (a) and (b) alternately, each into a fresh out folder. */
function measureCase(tmp: string, p: Prepared, cli: string, repetitions: number): CaseResult {
  const usageFile = path.join(tmp, 'usage');
  const pipeline: ProcessRun[] = [];
  const baseline: { run: ProcessRun; timing: BaselineTiming }[] = [];
  const folder = path.join(tmp, `built-${p.fleet.name}`);
  for (let rep = 1; rep <= repetitions; rep++) {
    const outPipeline = path.join(tmp, `out-${p.fleet.name}-pipeline-${rep}`);
    const a = runNode([cli, 'synth', '--clusters', p.clustersDir, '--out', outPipeline], tmp, usageFile);
    const outBaseline = path.join(tmp, `out-${p.fleet.name}-baseline-${rep}`);
    const b = runNode([BASELINE_JS, p.baselineJson, outBaseline], tmp, usageFile);
    const timing = JSON.parse(b.stdout) as BaselineTiming;
    if (rep === 1) {
      assertSameFiles(p, outPipeline, outBaseline);
      fs.renameSync(path.join(outPipeline, p.fleet.name), folder);
    }
    fs.rmSync(outPipeline, { recursive: true });
    fs.rmSync(outBaseline, { recursive: true });
    pipeline.push(a);
    baseline.push({ run: b, timing });
    log(
      `${p.fleet.name} #${rep}/${repetitions}: pipeline ${seconds(a.wallMs)} (CPU ${seconds(a.cpuMs)}) ${megabytes(a.peakRssKiB)}, ` +
        `baseline serialise+write ${seconds(timing.writeMs)} (CPU ${seconds(timing.writeCpuMs)}; process ${seconds(b.wallMs)})`,
    );
  }
  return { prepared: p, pipeline, baseline, folder };
}

/**
 * `kubectl kustomize` of every path an Argo CD source or a Flux Kustomization of each case's
 * cluster points at (the lock's gitopsPaths), when kubectl is installed; and, at 1,000 nodes,
 * of the whole folder in one build, as both tools built it before the host endpoints were
 * sharded. BUILD_RUNS rounds, each over every case's paths, so that the machine's drift during
 * the minutes this takes reaches every size alike (the 10k ÷ 1k ratio compares them).
 */
function measureBuilds(cases: readonly CaseResult[]): Builds[] | undefined {
  if (cases.length === 0) return [];
  if (!succeeds('kubectl', ['version', '--client'], cases[0].folder)) {
    log('kubectl is not installed: the GitOps builds are not timed');
    return undefined;
  }
  const paths = cases.map((c) => (JSON.parse(fs.readFileSync(path.join(c.folder, 'calico-shield.lock'), 'utf8')) as { gitopsPaths: string[] }).gitopsPaths);
  const times = paths.map((list) => list.map((): number[] => []));
  const largestShard = cases.map(() => 0);
  for (let round = 1; round <= BUILD_RUNS; round++) {
    cases.forEach((c, i) => {
      paths[i].forEach((gitopsPath, j) => {
        const build = run('kubectl', ['kustomize', gitopsPath], c.folder);
        times[i][j].push(build.wallMs);
        if (round === 1 && gitopsPath.startsWith('02-')) largestShard[i] = Math.max(largestShard[i], (build.stdout.match(/^kind: HostEndpoint$/gm) ?? []).length);
      });
    });
  }
  return cases.map((c, i) => {
    let slowest = { path: '', ms: -1 };
    let totalMs = 0;
    const slowestByKind = new Map<string, number>();
    paths[i].forEach((gitopsPath, j) => {
      const ms = stats(times[i][j]).median;
      totalMs += ms;
      if (ms > slowest.ms) slowest = { path: gitopsPath, ms };
      const kind = gitopsPath.split('/')[0];
      slowestByKind.set(kind, Math.max(slowestByKind.get(kind) ?? 0, ms));
    });
    const rootMs = c.prepared.fleet.nodes === 1000 ? run('kubectl', ['kustomize', '.'], c.folder).wallMs : undefined;
    log(`${c.prepared.fleet.name}: ${paths[i].length} build paths, slowest ${slowest.path} ${seconds(slowest.ms)}, all ${seconds(totalMs)}${rootMs === undefined ? '' : `; the root folder in one build ${seconds(rootMs)}`}`);
    return { paths: paths[i].length, largestShard: largestShard[i], slowest, slowestByKind, totalMs, ...(rootMs === undefined ? {} : { rootMs }) };
  });
}

/** synth of the dense fleet of `nodes` nodes, `repetitions` times, each into a fresh out folder. */
function measureDense(tmp: string, cli: string, nodes: number, repetitions: number): DenseResult {
  const name = `dense-${nodes}`;
  const clustersDir = path.join(tmp, `clusters-${name}`);
  fs.mkdirSync(clustersDir);
  fs.writeFileSync(path.join(clustersDir, `${name}.yaml`), denseFleetSpec(nodes, name));
  const usageFile = path.join(tmp, 'usage-dense');
  const runs = Array.from({ length: repetitions }, (_, i) => {
    const out = path.join(tmp, `out-${name}-${i + 1}`);
    const r = runNode([cli, 'synth', '--clusters', clustersDir, '--out', out], tmp, usageFile);
    fs.rmSync(out, { recursive: true });
    log(`${name} #${i + 1}/${repetitions}: pipeline ${seconds(r.wallMs)} (CPU ${seconds(r.cpuMs)}) ${megabytes(r.peakRssKiB)}`);
    return r;
  });
  return { nodes, runs };
}

/** `clusters` clusters of `nodes` nodes in one repository: synth, synth again, one spec changed, synth --cluster, check. */
function measureFleet(tmp: string, cli: string, clusters: number, nodes: number): FleetOfClusters {
  const repo = path.join(tmp, 'fleet-of-clusters');
  const clustersDir = path.join(repo, 'clusters');
  fs.mkdirSync(clustersDir, { recursive: true });
  const names = Array.from({ length: clusters }, (_, i) => `cluster-${String(i + 1).padStart(3, '0')}`);
  for (const [i, name] of names.entries()) fs.writeFileSync(path.join(clustersDir, `${name}.yaml`), fleetSpec(fleetCase(nodes, APPROACHES[i % 2], name)));
  const usageFile = path.join(tmp, 'usage-fleet');
  const synth = (...extra: string[]): ProcessRun => runNode([cli, 'synth', ...extra], repo, usageFile);
  const first = synth();
  const unchanged = synth();
  if (!/^same .*not compiled/m.test(unchanged.stdout) || /^wrote/m.test(unchanged.stdout)) throw new Error(`the second synth of the fleet compiled or wrote something:\n${unchanged.stdout}`);
  fs.appendFileSync(path.join(clustersDir, `${names[0]}.yaml`), '# edited\n');
  const oneChanged = synth();
  fs.appendFileSync(path.join(clustersDir, `${names[0]}.yaml`), '# edited again\n');
  const oneCluster = synth('--cluster', names[0]);
  const check = runNode([cli, 'check'], repo, usageFile);
  log(
    `${clusters} clusters × ${nodes} nodes: synth ${seconds(first.wallMs)}, again ${seconds(unchanged.wallMs)}, one spec changed ${seconds(oneChanged.wallMs)}, ` +
      `--cluster ${seconds(oneCluster.wallMs)}, check ${seconds(check.wallMs)}`,
  );
  return { clusters, nodes, first, unchanged, oneChanged, oneCluster, check };
}

/**
 * The baseline is a fair reference only if it writes exactly what the pipeline writes, from
 * objects the same code emitted.
 */
function assertSameFiles(p: Prepared, pipelineOut: string, baselineOut: string): void {
  for (const [file, hash] of p.expected) {
    if (sha256(fs.readFileSync(path.join(pipelineOut, file))) !== hash) {
      throw new Error(`${file}: the synth wrote other bytes than this process compiled; build/cli.js and build/bench.js were bundled from different sources (edited meanwhile?): run again`);
    }
  }
  for (const file of p.yamlFiles) {
    if (!fs.readFileSync(path.join(pipelineOut, file)).equals(fs.readFileSync(path.join(baselineOut, file)))) {
      throw new Error(`the baseline's ${file} differs from the pipeline's: bench/baseline.ts no longer serialises like lib/gitops/render.ts objectYaml`);
    }
  }
}

/** (c) `node scripts/bundle.js && node build/main.js` against cdk8s's stock `npx ts-node main.ts`, alternately. */
function coldSynth(app: string, repetitions: number): ColdResult {
  const hasTsNode = succeeds('npx', ['--no-install', 'ts-node', '--version'], app);
  if (!hasTsNode) log('ts-node is not installed: only the bundled synth is timed (add ts-node as a devDependency)');
  const bundledMs: number[] = [];
  const tsNodeMs: number[] = [];
  for (let rep = 1; rep <= repetitions; rep++) {
    fs.rmSync(path.join(app, 'build'), { recursive: true, force: true });
    const bundled = run(process.execPath, ['scripts/bundle.js'], app).wallMs + run(process.execPath, ['build/main.js', '--out', `dist-bundled-${rep}`], app).wallMs;
    bundledMs.push(bundled);
    let line = `example cold synth #${rep}/${repetitions}: bundle + run ${seconds(bundled)}`;
    if (hasTsNode) {
      const tsNode = run('npx', ['--no-install', 'ts-node', 'main.ts', '--out', `dist-ts-node-${rep}`], app).wallMs;
      tsNodeMs.push(tsNode);
      line += `, ts-node ${seconds(tsNode)}`;
    }
    log(line);
  }
  return hasTsNode ? { bundledMs, tsNodeMs } : { bundledMs };
}

/** CPU profile of the 5,000-node deny-list synth through the real bin/ and build/. */
function profile(tmp: string): void {
  const fleet = fleetCase(5000, 'deny-list');
  const clustersDir = path.join(tmp, 'clusters');
  fs.mkdirSync(clustersDir);
  fs.writeFileSync(path.join(clustersDir, `${fleet.name}.yaml`), fleetSpec(fleet));
  // Outside tmp, so it survives for Chrome DevTools or speedscope.
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calico-shield-profile-'));
  const args = ['--cpu-prof', '--cpu-prof-dir', profileDir, path.join(ROOT, 'bin', 'calico-shield.js'), 'synth', '--clusters', clustersDir, '--out', path.join(tmp, 'out')];
  log(`profiling: node ${args.join(' ')}`);
  const wall = run(process.execPath, args, ROOT).wallMs;
  const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`node --cpu-prof wrote no profile to ${profileDir}`);
  const top = 20;
  const markdown = [
    `Profiled ${new Date().toISOString().slice(0, 16)}Z with \`npm run bench -- --profile\`: \`${fleet.name}\` (generated by bench/fleet.ts), ` +
      `wall ${seconds(wall)} under the profiler. Self time, top ${top}; sources mapped through the bundle's source map.`,
    '',
    profileMarkdown(summariseProfile(path.join(profileDir, file), ROOT), top),
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);
  replaceBetweenMarkers(BENCHMARKS, 'profile', markdown);
  log(`profile section of BENCHMARKS.md rewritten; the profile is ${path.join(profileDir, file)}`);
}

interface RunInfo {
  readonly quick: boolean;
  readonly minutes: number;
  /** 1-minute load average at the start and at the end. */
  readonly load: readonly [number, number];
}

function report(results: readonly CaseResult[], dense: readonly DenseResult[], cold: ColdResult, fleet: FleetOfClusters, info: RunInfo): string {
  const find = (nodes: number, approach: string): CaseResult | undefined =>
    results.find((r) => r.prepared.fleet.nodes === nodes && r.prepared.fleet.approach === approach);
  const wall = (r: CaseResult): Stats => stats(r.pipeline.map((x) => x.wallMs));
  const cpu = (r: CaseResult): Stats => stats(r.pipeline.map((x) => x.cpuMs));
  const baseWall = (r: CaseResult): Stats => stats(r.baseline.map((x) => x.timing.writeMs));
  const baseCpu = (r: CaseResult): Stats => stats(r.baseline.map((x) => x.timing.writeCpuMs));
  const ratio = (r: CaseResult): number => wall(r).median / baseWall(r).median;
  const cpuRatio = (r: CaseResult): number => cpu(r).median / baseCpu(r).median;
  const rows = results.map((r) => {
    const p = r.prepared;
    const rss = stats(r.pipeline.map((x) => x.peakRssKiB));
    return [
      p.fleet.nodes.toLocaleString('en-US'),
      p.fleet.approach,
      p.objects.toLocaleString('en-US'),
      `${(p.outputBytes / 1e6).toFixed(1)} MB`,
      secondsRange(wall(r)),
      secondsRange(cpu(r)),
      secondsRange(baseWall(r)),
      secondsRange(baseCpu(r)),
      secondsRange(stats(r.baseline.map((x) => x.run.wallMs))),
      `${ratio(r).toFixed(2)}× (${cpuRatio(r).toFixed(2)}×)`,
      `${megabytes(rss.median)} (max ${megabytes(rss.max)})`,
      `${(wall(r).median / p.fleet.nodes).toFixed(2)} ms`,
      String(r.pipeline.length),
    ];
  });

  const verdict = (ok: boolean): string => (ok ? '**PASS**' : '**FAIL**');
  const targets: string[][] = [];
  /** One value per approach, judged on wall time, with CPU time alongside. */
  const judged = (title: string, values: readonly (readonly [string, number, number] | undefined)[], show: (v: number) => string, ok: (v: number) => boolean): void => {
    const present = values.filter((v): v is readonly [string, number, number] => v !== undefined);
    if (present.length < APPROACHES.length) targets.push([title, 'n/a (`--quick`)', 'SKIP']);
    else targets.push([title, present.map(([a, w, c]) => `${a} ${show(w)} (CPU ${show(c)})`).join(', '), verdict(present.every(([, w]) => ok(w)))]);
  };
  judged(
    `Full pipeline at 5,000 nodes ≤ ${TARGET.overBaselineAt5000}× baseline`,
    APPROACHES.map((a) => {
      const r = find(5000, a);
      return r && ([a, ratio(r), cpuRatio(r)] as const);
    }),
    (v) => `${v.toFixed(2)}×`,
    (v) => v <= TARGET.overBaselineAt5000,
  );
  judged(
    `Pipeline time 10,000 ÷ 1,000 nodes ≤ ${TARGET.scaling}`,
    APPROACHES.map((a) => {
      const small = find(1000, a);
      const large = find(10000, a);
      return small && large && ([a, wall(large).median / wall(small).median, cpu(large).median / cpu(small).median] as const);
    }),
    (v) => v.toFixed(2),
    (v) => v <= TARGET.scaling,
  );
  const bundled = stats(cold.bundledMs);
  if (cold.tsNodeMs) {
    const tsNode = stats(cold.tsNodeMs);
    const speedup = tsNode.median / bundled.median;
    targets.push([`Cold synth ≥ ${TARGET.coldSpeedup}× faster than ts-node`, `${speedup.toFixed(1)}× (${seconds(tsNode.median)} vs ${seconds(bundled.median)})`, verdict(speedup >= TARGET.coldSpeedup)]);
  } else {
    targets.push([`Cold synth ≥ ${TARGET.coldSpeedup}× faster than ts-node`, `ts-node is not installed (bundled: ${seconds(bundled.median)})`, 'SKIP']);
  }
  const builds10k = results.filter((r) => r.prepared.fleet.nodes === 10000).map((r) => r.builds);
  const buildTitle = `Every GitOps build path at 10,000 nodes ≤ ${TARGET.buildSeconds} s (\`kubectl kustomize\`)`;
  if (builds10k.length === 0) targets.push([buildTitle, 'n/a (`--quick`)', 'SKIP']);
  else if (builds10k.some((b) => b === undefined)) targets.push([buildTitle, 'kubectl is not installed', 'SKIP']);
  else {
    const slowest = Math.max(...builds10k.map((b) => b?.slowest.ms ?? 0));
    targets.push([buildTitle, `slowest ${seconds(slowest)}`, verdict(slowest <= TARGET.buildSeconds * 1000)]);
  }
  const scalingTitle = `Every build, 10,000 ÷ 1,000 nodes ≤ ${TARGET.buildScaling} (the slowest build of each kind of path)`;
  const buildPairs = APPROACHES.map((a) => [a, find(1000, a)?.builds, find(10000, a)?.builds] as const);
  if (buildPairs.some(([, small, large]) => small === undefined || large === undefined)) {
    targets.push([scalingTitle, builds10k.length === 0 ? 'n/a (`--quick`)' : 'kubectl is not installed', 'SKIP']);
  } else {
    // Every kind of path either size has: one that only one of them has gets no ratio (NaN), and a FAIL.
    const ratios = buildPairs.flatMap(([a, small, large]) =>
      [...new Set([...(small?.slowestByKind.keys() ?? []), ...(large?.slowestByKind.keys() ?? [])])]
        .sort()
        .map((kind) => [`${a} ${kind}`, (large?.slowestByKind.get(kind) ?? Number.NaN) / (small?.slowestByKind.get(kind) ?? Number.NaN)] as const),
    );
    targets.push([scalingTitle, ratios.map(([what, r]) => `${what} ${r.toFixed(2)}`).join(', '), verdict(ratios.every(([, r]) => r <= TARGET.buildScaling))]);
  }
  const denseTitle = `Servers on every node, pipeline 10,000 ÷ 1,000 nodes ≤ ${TARGET.denseScaling}`;
  const denseWall = (nodes: number): Stats | undefined => {
    const d = dense.find((x) => x.nodes === nodes);
    return d && stats(d.runs.map((r) => r.wallMs));
  };
  const [dense1k, dense10k] = [denseWall(1000), denseWall(10000)];
  if (dense1k === undefined || dense10k === undefined) targets.push([denseTitle, 'n/a (`--quick`)', 'SKIP']);
  else {
    const r = dense10k.median / dense1k.median;
    targets.push([denseTitle, `${r.toFixed(2)} (${seconds(dense10k.median)} ÷ ${seconds(dense1k.median)})`, verdict(r <= TARGET.denseScaling)]);
  }
  const at10k = results.filter((r) => r.prepared.fleet.nodes === 10000).flatMap((r) => r.pipeline.map((x) => x.peakRssKiB));
  const rssTitle = `Peak RSS at 10,000 nodes ≤ ${TARGET.peakRssMB} MB`;
  targets.push(
    at10k.length === 0
      ? [rssTitle, 'n/a (`--quick`)', 'SKIP']
      : [rssTitle, `${megabytes(Math.max(...at10k))} (highest of all runs)`, verdict((Math.max(...at10k) * 1024) / 1e6 <= TARGET.peakRssMB)],
  );

  const marginal = APPROACHES.flatMap((a) => {
    const small = find(1000, a);
    const large = find(10000, a);
    const perNode = (f: (r: CaseResult) => Stats, l: CaseResult, s: CaseResult): string => ((f(l).median - f(s).median) / 9000).toFixed(2);
    return small && large ? [`${a} ${perNode(wall, large, small)} ms (CPU ${perNode(cpu, large, small)} ms)`] : [];
  });
  const m = machine();
  return [
    `Measured ${new Date().toISOString().slice(0, 16)}Z at \`${m.commit}\` with \`npm run bench${info.quick ? ' -- --quick' : ''}\` (took ${info.minutes} min).`,
    `Machine: ${m.cpus} × ${m.cpu}, ${m.memory} RAM, ${m.os}, Node ${process.version}; 1-minute load average ${info.load[0].toFixed(2)} at the start, ` +
      `${info.load[1].toFixed(2)} at the end. Peak RSS and CPU time (user + system) by \`${usageMethod()}\`.`,
    `Specs: ${SERVER_COUNT} protected servers, ${NETWORK_COUNT} allowed-client networks, 2 interfaces per node (bench/fleet.ts). Times are median (min–max).`,
    '',
    '| Nodes | Approach | Objects | Output | Pipeline wall | Pipeline CPU | Baseline serialise + write, wall | Baseline serialise + write, CPU | Baseline process wall | Pipeline ÷ baseline, wall (CPU) | Peak RSS, pipeline | Pipeline wall per node | Runs |',
    '|---:|---|---:|---:|---|---|---|---|---|---:|---|---:|---:|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    '| Target (judged on wall time) | Measured | Result |',
    '|---|---|---|',
    ...targets.map((t) => `| ${t.join(' | ')} |`),
    '',
    `Marginal cost per node, (10,000 − 1,000 nodes) ÷ 9,000: ${marginal.length > 0 ? marginal.join(', ') : 'n/a (`--quick`)'}.`,
    '',
    `**What Argo CD and Flux build.** \`kubectl kustomize\` (kustomize v5, as Argo CD and Flux run it) of every build path of the cluster — the lock's \`gitopsPaths\`, which the Argo CD sources and the Flux Kustomizations point at — from the first pipeline run's output; each path's time is the median of ${BUILD_RUNS} runs, in rounds over every cluster:`,
    '',
    '| Nodes | Approach | Build paths | Most host endpoints in one path | Slowest build | All builds | The whole folder in one build (before shards) |',
    '|---:|---|---:|---:|---|---:|---:|',
    ...results.map((r) => {
      const b = r.builds;
      const head = [r.prepared.fleet.nodes.toLocaleString('en-US'), r.prepared.fleet.approach];
      if (!b) return `| ${[...head, 'kubectl is not installed', '', '', '', ''].join(' | ')} |`;
      return `| ${[...head, String(b.paths), b.largestShard.toLocaleString('en-US'), `${seconds(b.slowest.ms)} (${b.slowest.path})`, seconds(b.totalMs), b.rootMs === undefined ? 'not run (minutes)' : seconds(b.rootMs)].join(' | ')} |`;
    }),
    '',
    'All builds is the sum over the build paths of the cluster. Each Argo CD source or Flux Kustomization is its own build, and each `kubectl kustomize` run is mostly its own start, so the sum follows the number of paths (the shards) more than their size; the target above judges each build by the slowest of its kind of path.',
    '',
    `**Servers on every node.** The dense fleet (bench/fleet.ts \`denseFleetSpec\`): ${DENSE_SERVER_COUNT} protected servers, each on every node and with every node its client, deny-list, 2 interfaces per node; pipeline only, median (min–max):`,
    '',
    '| Nodes | Pipeline wall | Pipeline CPU | Peak RSS | Runs |',
    '|---:|---|---|---:|---:|',
    ...dense.map((d) => `| ${[d.nodes.toLocaleString('en-US'), secondsRange(stats(d.runs.map((r) => r.wallMs))), secondsRange(stats(d.runs.map((r) => r.cpuMs))), megabytes(Math.max(...d.runs.map((r) => r.peakRssKiB))), String(d.runs.length)].join(' | ')} |`),
    '',
    `**A fleet of clusters.** ${fleet.clusters} clusters × ${fleet.nodes} nodes in one repository (bench/fleet.ts, ${fleetCase(fleet.nodes, 'deny-list').servers} protected servers each), one run each, wall (peak RSS):`,
    '',
    '| Run | What it does | Wall | Peak RSS |',
    '|---|---|---:|---:|',
    ...(
      [
        ['`synth`, empty dist/', 'compiles and writes every cluster', fleet.first],
        ['`synth` again', 'every lock matches: compiles nothing, writes nothing', fleet.unchanged],
        ['`synth`, one spec edited', 'compiles and writes that cluster', fleet.oneChanged],
        ['`synth --cluster NAME`', 'compiles that cluster only', fleet.oneCluster],
        ['`check`', 'compiles every cluster and compares', fleet.check],
      ] as const
    ).map(([run, what, r]) => `| ${run} | ${what} | ${seconds(r.wallMs)} | ${megabytes(r.peakRssKiB)} |`),
    '',
    `Cold synth of clusters/example.yaml, \`node scripts/bundle.js && node build/main.js\`: ${secondsRange(bundled)} over ${cold.bundledMs.length} run${cold.bundledMs.length === 1 ? '' : 's'}` +
      (cold.tsNodeMs ? `; \`npx ts-node main.ts\`: ${secondsRange(stats(cold.tsNodeMs))}.` : '; `npx ts-node main.ts`: not measured, ts-node is not installed.'),
  ].join('\n');
}

function machine(): { cpus: number; cpu: string; memory: string; os: string; commit: string } {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // Not Linux: os.cpus() named it.
  }
  const git = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' });
  return {
    cpus: os.availableParallelism(),
    cpu,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    commit: git.status === 0 ? git.stdout.trim() : 'unknown commit',
  };
}

/** `2.84 s (2.80–2.91)`: median (min–max). */
function secondsRange(s: Stats): string {
  return `${seconds(s.median)} (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** KiB → MB (10^6 bytes), the unit of the RSS target. */
function megabytes(kib: number): string {
  return `${((kib * 1024) / 1e6).toFixed(0)} MB`;
}

function log(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

main();
