/**
 * What must hold for every spec calico-shield is given, however broken: the pipeline never
 * throws, a rejected spec yields positioned findings and no files, and an accepted spec yields
 * objects that the API server and Calico accept and whose selectors mean what they print.
 *
 * Shared by test/fuzz (random and mutated specs) and test/hostile (hand-written attacks).
 */
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { admit } from '../../lib/calico/admission';
import { CALICO_RELEASES, DEFAULT_CALICO, type CalicoMinor } from '../../lib/calico/versions';
import { CalicoObject, objectKey } from '../../lib/calico/object';
import { parseSelector, printSelector } from '../../lib/calico/selector';
import {
  checkInterfaceName,
  checkLabelKey,
  checkLabelValue,
  checkNamespace,
  checkNodeName,
  checkResourceName,
  ResourceKind,
} from '../../lib/calico/validate';
import { ClusterInput, ClusterResult, compileCluster } from '../../lib/pipeline';
import { Finding, hasErrors } from '../../lib/spec/errors';
import { CrdValidators, loadCrdValidators } from '../support/crd-schema';
import { withTestEnvironment } from '../support/environment';

const validators = new Map<CalicoMinor, CrdValidators>();

/** The CRD schemas of a Calico minor's pinned release, loaded once per test file (loading takes about a second). */
export function calicoCrds(minor: CalicoMinor = DEFAULT_CALICO): CrdValidators {
  let v = validators.get(minor);
  if (v === undefined) {
    v = loadCrdValidators(join(__dirname, '..', '..', 'crds', `calico-${CALICO_RELEASES[minor].release}`));
    validators.set(minor, v);
  }
  return v;
}

/** The input of one case: a spec text under `clusters/<name>.yaml`. */
export function clusterInput(name: string, text: string | Uint8Array): ClusterInput {
  return { file: `clusters/${name}.yaml`, name, bytes: typeof text === 'string' ? new TextEncoder().encode(withTestEnvironment(text)) : text };
}

/** Longest message or hint a finding may have. */
const MAX_MESSAGE = 1000;

/** A V8 stack frame line, which must never reach a user. */
const STACK_FRAME = /\n\s+at |^\s+at .+\(.*:\d+:\d+\)/m;

/** Lines of the input, split as YAML and calico-shield count them (LF; CRLF counts once). */
function lineLengths(bytes: Uint8Array): number[] {
  const text = Buffer.from(bytes).toString('latin1');
  return text.split('\n').map((l) => l.length);
}

/**
 * Problems with one finding of a rejected spec: it must name the file and a line and column
 * inside it, carry a message and no stack trace.
 */
function findingProblems(input: ClusterInput, f: Finding): string[] {
  const problems: string[] = [];
  const where = `${f.code} ${JSON.stringify(f.message).slice(0, 200)}`;
  if (f.file !== input.file) problems.push(`${where}: file is ${JSON.stringify(f.file)}, expected ${input.file}`);
  const lines = lineLengths(input.bytes);
  if (f.line === undefined || !Number.isInteger(f.line) || f.line < 1 || f.line > lines.length) {
    problems.push(`${where}: line ${f.line} is not a line of the ${lines.length}-line file`);
  } else if (f.col === undefined || !Number.isInteger(f.col) || f.col < 1 || f.col > (lines[f.line - 1] ?? 0) + 1) {
    // Columns count UTF-16 code units of the decoded text, never more than the line's bytes.
    problems.push(`${where}: column ${f.col} is not on line ${f.line} (${lines[f.line - 1]} bytes)`);
  }
  if (typeof f.message !== 'string' || f.message.trim() === '') problems.push(`${where}: empty message`);
  for (const text of [f.message, f.hint ?? '', f.field ?? '']) {
    if (STACK_FRAME.test(text)) problems.push(`${where}: holds a stack trace: ${JSON.stringify(text).slice(0, 300)}`);
  }
  // A 10 kB value must not come back as a 10 kB message: lib/calico/validate.ts quote() cuts it.
  if (f.message.length > MAX_MESSAGE) problems.push(`${where}: message is ${f.message.length} characters long`);
  if ((f.hint ?? '').length > MAX_MESSAGE) problems.push(`${where}: hint is ${f.hint?.length} characters long`);
  return problems;
}

function labelProblems(where: string, labels: Readonly<Record<string, string>> | undefined): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    const pk = checkLabelKey(k);
    if (pk) problems.push(`${where}: label key: ${pk.message}`);
    const pv = typeof v === 'string' ? checkLabelValue(v) : { message: `value of ${k} is not a string` };
    if (pv) problems.push(`${where}: label value: ${pv.message}`);
  }
  return problems;
}

/** Every `…selector` / `…Selector` string anywhere in `value`, with its JSON pointer. */
export function selectorFields(value: unknown, pointer = ''): { readonly pointer: string; readonly text: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => selectorFields(v, `${pointer}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    /(^s|S)elector$/.test(k) && typeof v === 'string' ? [{ pointer: `${pointer}/${k}`, text: v }] : selectorFields(v, `${pointer}/${k}`),
  );
}

const RESOURCE_KINDS: readonly ResourceKind[] = [
  'HostEndpoint',
  'GlobalNetworkPolicy',
  'NetworkPolicy',
  'GlobalNetworkSet',
  'NetworkSet',
  'FelixConfiguration',
  'KubeControllersConfiguration',
];

/** Problems with one emitted object: CRD schema, Calico's admission rules, names, labels, selectors. */
function objectProblems(o: CalicoObject, minor: CalicoMinor): string[] {
  const where = objectKey(o);
  const problems = calicoCrds(minor)
    .validate(o)
    .map((v) => `${where}: CRD schema: ${v.path} ${v.message}`);
  problems.push(...admit([o], minor).map((v) => `${where}: admission: ${v.field}: ${v.message} (${v.rule})`));
  if (!(RESOURCE_KINDS as readonly string[]).includes(o.kind)) problems.push(`${where}: unexpected kind`);
  else {
    const pn = checkResourceName(o.kind as ResourceKind, o.metadata.name);
    if (pn) problems.push(`${where}: name: ${pn.message}`);
  }
  if (o.metadata.namespace !== undefined) {
    const pns = checkNamespace(o.metadata.namespace);
    if (pns) problems.push(`${where}: namespace: ${pns.message}`);
  }
  problems.push(...labelProblems(where, o.metadata.labels));
  if (o.kind === 'HostEndpoint') {
    const node = o.spec?.node;
    const pnode = typeof node === 'string' ? checkNodeName(node) : { message: 'spec.node is not a string' };
    if (pnode) problems.push(`${where}: spec.node: ${pnode.message}`);
    const iface = o.spec?.interfaceName;
    const pif = typeof iface === 'string' ? checkInterfaceName(iface) : { message: 'spec.interfaceName is not a string' };
    if (pif) problems.push(`${where}: spec.interfaceName: ${pif.message}`);
  }
  for (const s of selectorFields(o.spec)) {
    const parsed = parseSelector(s.text);
    if (!parsed.ok) {
      problems.push(`${where}: ${s.pointer} ${JSON.stringify(s.text).slice(0, 300)} does not parse: ${parsed.error.message} at ${parsed.error.offset}`);
    } else if (printSelector(parsed.selector) !== s.text) {
      problems.push(`${where}: ${s.pointer} ${JSON.stringify(s.text).slice(0, 300)} is not in canonical form`);
    }
  }
  return problems;
}

/** The rendered YAML files must read back as exactly the emitted objects (no YAML injection). */
function fileProblems(result: ClusterResult): string[] {
  const problems: string[] = [];
  const expected = new Map((result.objects ?? []).map((o) => [objectKey(o), JSON.stringify(o)]));
  const seen = new Set<string>();
  for (const f of result.files ?? []) {
    if (f.path.startsWith('/') || f.path.split('/').some((p) => p === '..' || p === '' || p === '.') || f.path.includes('\\')) {
      problems.push(`file path ${JSON.stringify(f.path)} could escape the cluster folder`);
    }
    if (!/\/(?!kustomization)[a-z]+\.yaml$/.test(f.path)) continue;
    for (const doc of parseAllDocuments(f.content, { uniqueKeys: true })) {
      if (doc.errors.length > 0) {
        problems.push(`${f.path}: does not parse: ${doc.errors[0]?.message}`);
        continue;
      }
      const o = doc.toJS() as CalicoObject;
      const key = objectKey(o);
      if (expected.get(key) !== JSON.stringify(o)) problems.push(`${f.path}: ${key} reads back differently from the emitted object`);
      seen.add(key);
    }
  }
  for (const key of expected.keys()) if (!seen.has(key)) problems.push(`${key} is in no rendered file`);
  return problems;
}

/**
 * Runs the pipeline on one input and lists every broken invariant: `[]` when the case is fine.
 * A throw escapes, and fails the property that called it.
 *
 * Reading the rendered YAML back costs more than compiling; `checkRenderedFiles: false` skips it.
 */
export function compileProblems(
  input: ClusterInput,
  options: { readonly checkRenderedFiles: boolean } = { checkRenderedFiles: true },
): { readonly result: ClusterResult; readonly problems: string[] } {
  const result = compileCluster(input);
  if (hasErrors(result.findings)) {
    const problems = result.findings.flatMap((f) => findingProblems(input, f));
    if (result.files !== undefined) problems.unshift('files were produced although there are errors');
    return { result, problems };
  }
  const problems: string[] = [];
  if (result.files === undefined || result.objects === undefined) problems.push('no error, but no files or objects');
  const keys = new Set<string>();
  for (const o of result.objects ?? []) {
    if (keys.has(objectKey(o))) problems.push(`${objectKey(o)} is emitted twice`);
    keys.add(objectKey(o));
    problems.push(...objectProblems(o, result.spec?.calicoVersion ?? DEFAULT_CALICO));
  }
  if (options.checkRenderedFiles) problems.push(...fileProblems(result));
  return { result, problems };
}

/** Makes a broken invariant readable in a fast-check counterexample report. */
export function expectNoProblems(problems: readonly string[], text: string | Uint8Array): void {
  if (problems.length === 0) return;
  const shown = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
  throw new Error(`${problems.slice(0, 10).join('\n')}\n--- spec (${shown.length} chars) ---\n${shown.slice(0, 3000)}`);
}
