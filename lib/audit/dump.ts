/**
 * A dump of a cluster's Calico objects, as stock tools write it: `kubectl get
 * globalnetworkpolicies,networkpolicies.projectcalico.org,tiers,… -A -o yaml` (one `List` with
 * `items`), `calicoctl get … -o yaml` (a list or separate documents), or several such files.
 *
 * Read as untrusted input: bounded, every malformed part a positioned finding, never an
 * exception. Only projectcalico.org/v3 objects are kept, stripped to what the model reads;
 * anything else (Secrets, ConfigMaps, the crd.projectcalico.org/v1 backing objects) is counted
 * and never echoed.
 */
import { isMap, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { CalicoObject, objectKey } from '../calico/object';
import { Finding } from '../spec/errors';
import { MAX_FLOW_DEPTH, TextLines, tooDeep } from '../spec/lines';

/** One file of the dump (`-` for standard input). */
export interface DumpSource {
  readonly file: string;
  readonly text: string;
}

/** A Calico object of the dump, with where it stands. */
export interface DumpObject {
  readonly object: CalicoObject;
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface Dump {
  readonly objects: readonly DumpObject[];
  /** How many objects were not projectcalico.org/v3 ones (never named: they may be Secrets). */
  readonly ignored: number;
  readonly findings: readonly Finding[];
}

/** Largest dump calico-shield reads, per file or from standard input (a 5,000-node cluster's host endpoints fit); the CLI reads no more. */
export const MAX_DUMP_BYTES = 64 * 1024 * 1024;
/** Alias expansions a dump may make, as for specs. */
const MAX_ALIAS_COUNT = 1000;
const CALICO_API = 'projectcalico.org/v3';

export function readDump(sources: readonly DumpSource[]): Dump {
  // By objectKey; a later copy of one object replaces the earlier and goes last.
  const objects = new Map<string, DumpObject>();
  const findings: Finding[] = [];
  let ignored = 0;
  for (const source of sources) {
    const fail = (message: string, hint: string, line = 1, col = 1): void => {
      findings.push({ severity: 'error', code: 'bad-dump', message, hint, file: source.file, line, col });
    };
    const lines = new TextLines(source.text);
    const deep = tooDeep(source.text);
    if (deep !== undefined) {
      const p = lines.linePos(deep);
      fail(`collections are nested more than ${MAX_FLOW_DEPTH} levels deep here`, 'a dump of kubectl or calicoctl nests a few levels', p.line, p.col);
      continue;
    }
    const docs = parseAllDocuments(source.text, { prettyErrors: false, uniqueKeys: true, merge: false });
    const list = Array.isArray(docs) ? docs : [docs];
    for (const doc of list) {
      const error = doc.errors[0];
      if (error) {
        const p = lines.linePos(error.pos[0]);
        fail(`not YAML: ${error.message.split('\n')[0] ?? ''}`, 'give the output of kubectl get … -o yaml or calicoctl get … -o yaml as it is', p.line, p.col);
        continue;
      }
      for (const { node, value } of itemsOf(doc)) {
        const at = lines.linePos(node?.range?.[0] ?? 0);
        const kept = calicoObject(value);
        if (kept === 'ignored') ignored++;
        else if (typeof kept === 'string') fail(kept, 'every Calico object has apiVersion, kind and metadata.name, and labels of strings', at.line, at.col);
        else {
          // One object twice (two dumps of one kind, say): the cluster holds it once.
          const key = objectKey(kept);
          if (objects.delete(key)) {
            findings.push({ severity: 'warning', code: 'duplicate-object', message: `${key} is in the dump more than once: the last copy is evaluated`, hint: 'dump each kind once', file: source.file, line: at.line, col: at.col });
          }
          objects.set(key, { object: kept, file: source.file, line: at.line, col: at.col });
        }
      }
    }
  }
  return { objects: [...objects.values()], ignored, findings };
}

/** The objects of one document: the items of a `List`, or the document itself. */
function itemsOf(doc: Document): { node: Node | undefined; value: unknown }[] {
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return [{ node: doc.contents ?? undefined, value: 'alias' }];
  }
  if (value === null || value === undefined) return [];
  const contents = doc.contents;
  const record = value as Record<string, unknown>;
  if (isMap(contents) && typeof record['kind'] === 'string' && record['kind'].endsWith('List') && Array.isArray(record['items'])) {
    const itemsNode = contents.get('items', true);
    const nodes = isSeq(itemsNode) ? itemsNode.items : [];
    return record['items'].map((item, i) => ({ node: (nodes[i] as Node | undefined) ?? contents, value: item }));
  }
  return [{ node: contents ?? undefined, value }];
}

/** The object as the model reads it, `'ignored'` when it is not a Calico one, or why it is broken. */
function calicoObject(value: unknown): CalicoObject | 'ignored' | string {
  if (value === 'alias') return `its aliases expand more than ${MAX_ALIAS_COUNT} times`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an object of the dump is not a mapping';
  const o = value as Record<string, unknown>;
  if (o['apiVersion'] !== CALICO_API) return 'ignored';
  const kind = o['kind'];
  const metadata = o['metadata'];
  if (typeof kind !== 'string' || typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return 'a projectcalico.org/v3 object without kind or metadata';
  const m = metadata as Record<string, unknown>;
  if (typeof m['name'] !== 'string' || m['name'] === '') return `a ${kind.slice(0, 60)} without metadata.name`;
  const rawLabels = m['labels'];
  if (rawLabels !== undefined && (typeof rawLabels !== 'object' || rawLabels === null || Array.isArray(rawLabels) || !Object.values(rawLabels).every((x) => typeof x === 'string'))) {
    return `the labels of ${kind.slice(0, 60)} ${String(m['name']).slice(0, 60)} are not strings`;
  }
  const labels = rawLabels as Record<string, string> | undefined;
  const spec = o['spec'];
  return {
    apiVersion: CALICO_API,
    kind,
    metadata: {
      name: m['name'],
      ...(typeof m['namespace'] === 'string' && { namespace: m['namespace'] }),
      ...(labels && { labels }),
    },
    ...(typeof spec === 'object' && spec !== null && !Array.isArray(spec) && { spec: spec as Record<string, unknown> }),
  };
}
