/**
 * Summarises a V8 .cpuprofile (`node --cpu-prof`) by self time per function, per source
 * file and per area (lib/<stage>, node_modules/<package>, Node itself), mapping positions in
 * the esbuild bundles back to the TypeScript sources through their linked source maps.
 */
import * as fs from 'node:fs';
import { SourceMap, SourceMapPayload } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  /** 0-based. */
  readonly lineNumber: number;
  /** 0-based. */
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  readonly timeDeltas: readonly number[];
}

export interface Entry {
  readonly name: string;
  readonly selfMs: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Every entry, largest self time first. */
  readonly functions: readonly Entry[];
  /** Functions by total time (self and callees): which stage costs what. */
  readonly totals: readonly Entry[];
  readonly files: readonly Entry[];
  readonly areas: readonly Entry[];
}

interface Location {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
}

/**
 * @param root paths under it are shown relative to it
 */
export function summariseProfile(profileFile: string, root: string): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  let time = profile.startTime;
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i];
    // A sample stands for the time until the next one.
    const next = i + 1 < profile.samples.length ? time + profile.timeDeltas[i + 1] : profile.endTime;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, next - time));
  });
  const locate = locator(root);
  const functions = new Map<string, number>();
  const totals = new Map<string, number>();
  const files = new Map<string, number>();
  const areas = new Map<string, number>();
  const add = (m: Map<string, number>, key: string, us: number): void => void m.set(key, (m.get(key) ?? 0) + us);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (f: CallFrame): string => {
    const at = locate(f);
    return `${f.functionName || '(anonymous)'} ${at.file}:${at.line}`;
  };
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id);
    if (us === undefined) continue;
    const f = node.callFrame;
    if (f.url === '') {
      // (garbage collector), (program), (idle), (root) are V8's own buckets; RegExp: … is compiled
      // regular-expression code; the rest (fsync, set length, …) are native functions.
      const bucket = f.functionName.startsWith('(') ? f.functionName : f.functionName.startsWith('RegExp:') ? '(regular expressions)' : '(native)';
      add(functions, f.functionName, us);
      add(files, bucket, us);
      add(areas, bucket, us);
    } else {
      const at = locate(f);
      add(functions, keyOf(f), us);
      add(files, at.file, us);
      add(areas, area(at.file), us);
    }
    // Each function on the stack once, however deep its recursion; Node's module loader wraps everything, so it is left out.
    const onStack = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)?.callFrame;
      if (frame !== undefined && frame.url !== '' && !/^node:internal\/(main|modules)\//.test(frame.url)) onStack.add(keyOf(frame));
    }
    for (const key of onStack) add(totals, key, us);
  }
  const sorted = (m: Map<string, number>): Entry[] =>
    [...m.entries()].map(([name, us]) => ({ name, selfMs: us / 1000 })).sort((a, b) => b.selfMs - a.selfMs || (a.name < b.name ? -1 : 1));
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    functions: sorted(functions),
    totals: sorted(totals),
    files: sorted(files),
    areas: sorted(areas),
  };
}

/** Markdown tables of the top `top` areas, functions by total time, files and functions by self time. */
export function profileMarkdown(summary: ProfileSummary, top: number): string {
  const pct = (ms: number): string => `${((100 * ms) / summary.totalMs).toFixed(1)} %`;
  const table = (title: string, entries: readonly Entry[], column = 'self ms'): string[] => [
    `| ${title} | ${column} | share |`,
    '|---|---:|---:|',
    ...entries.slice(0, top).map((e) => `| \`${e.name.replace(/\|/g, '\\|')}\` | ${e.selfMs.toFixed(0)} | ${pct(e.selfMs)} |`),
    '',
  ];
  return [
    `Sampled time: ${summary.totalMs.toFixed(0)} ms.`,
    '',
    ...table('Area', summary.areas),
    ...table('Function, with its callees', summary.totals, 'total ms'),
    ...table('File', summary.files),
    ...table('Function', summary.functions),
  ].join('\n');
}

/** Maps a call frame to its original source file and line, through the bundle's source map when it has one. */
function locator(root: string): (f: CallFrame) => Location {
  const maps = new Map<string, { map: SourceMap; dir: string } | undefined>();
  const show = (file: string): string => (path.isAbsolute(file) && !path.relative(root, file).startsWith('..') ? path.relative(root, file) : file);
  return (f) => {
    if (!f.url.startsWith('file:')) return { file: f.url, line: f.lineNumber + 1 };
    const file = fileURLToPath(f.url);
    if (!maps.has(file)) maps.set(file, loadSourceMap(file));
    const sm = maps.get(file);
    const entry = sm?.map.findEntry(f.lineNumber, f.columnNumber);
    if (sm === undefined || entry === undefined || !('originalSource' in entry)) return { file: show(file), line: f.lineNumber + 1 };
    const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : path.resolve(sm.dir, entry.originalSource);
    return { file: show(source), line: entry.originalLine + 1 };
  };
}

function loadSourceMap(file: string): { map: SourceMap; dir: string } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
  if (url === undefined || url.startsWith('data:')) return undefined;
  const mapFile = path.resolve(path.dirname(file), url);
  const payload = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as SourceMapPayload;
  return { map: new SourceMap(payload), dir: path.dirname(mapFile) };
}

/** `lib/spec`, `node_modules/yaml`, `node:internal`, or the file itself. */
function area(file: string): string {
  const parts = file.split('/');
  const pkg = parts.lastIndexOf('node_modules');
  if (pkg >= 0) return parts.slice(pkg, pkg + (parts[pkg + 1]?.startsWith('@') ? 3 : 2)).join('/');
  if (parts[0] === 'lib' || parts[0] === 'imports') return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
  if (file.startsWith('node:')) return file.split('/')[0];
  return file;
}
