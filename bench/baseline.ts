/**
 * The benchmark's baseline, run as its own process: the very objects the pipeline emits,
 * serialised with the `yaml` library exactly as lib/gitops/render.ts `objectYaml` does and
 * written to the same paths, nothing else (no parsing, planning, charts, verification,
 * kustomizations, lock or atomic replace).
 *
 *   node build/bench-baseline.js <objects.json> <out-dir>
 *
 * Reading the JSON is not work the pipeline does, so the child times it apart and prints
 * `{"loadMs":…,"writeMs":…,"writeCpuMs":…}`; the benchmark compares the pipeline with the
 * serialise + write part: `writeMs` (wall) and `writeCpuMs` (user + system CPU time).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import type { CalicoObject } from '../lib/calico/object';

/** What the benchmark saves for the baseline: each YAML file's objects, in file order. */
export interface BaselineInput {
  readonly files: readonly { readonly path: string; readonly objects: readonly CalicoObject[] }[];
}

export interface BaselineTiming {
  readonly loadMs: number;
  readonly writeMs: number;
  readonly writeCpuMs: number;
}

/** The options of lib/gitops/render.ts objectYaml; the benchmark checks the output is byte-identical. */
const OPTIONS = { lineWidth: 0, minContentWidth: 0, indent: 2, indentSeq: true, singleQuote: false } as const;

const [input, outDir] = process.argv.slice(2);
if (input === undefined || outDir === undefined) throw new Error('usage: node build/bench-baseline.js <objects.json> <out-dir>');
const start = performance.now();
const { files } = JSON.parse(fs.readFileSync(input, 'utf8')) as BaselineInput;
const loaded = performance.now();
const cpu = process.cpuUsage();
for (const file of files) {
  const full = path.join(outDir, file.path);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, file.objects.map((o) => `---\n${stringify(o, OPTIONS)}`).join(''));
}
const used = process.cpuUsage(cpu);
const timing: BaselineTiming = { loadMs: loaded - start, writeMs: performance.now() - loaded, writeCpuMs: (used.user + used.system) / 1000 };
process.stdout.write(`${JSON.stringify(timing)}\n`);
