/**
 * The cluster folder of a GitOps repository: one `<cluster>.yaml` per cluster. Reading it is
 * the edge's job (lib/cli.ts, lib/nodes-command.ts); the name rule is the one every stage uses.
 *
 * A file that looks like a spec but is not one calico-shield reads (`example.YAML`,
 * `example.yml`, an editor's `example.yaml~`) is an error, never skipped: skipping it would
 * make synth remove dist/example/ as if its spec were deleted.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { checkDns1123Label } from './calico/validate';
import { about, entryType, FileError, readRegularFile, refusal } from './io/files';
import type { ClusterInput } from './pipeline';
import { Finding } from './spec/errors';
import { MAX_SPEC_BYTES, tooLargeSpec } from './spec/parse';

const SPEC_EXTENSION = '.yaml';
/** Names a reader would take for a spec: any mention of .yaml or .yml, in any case. */
const LOOKS_LIKE_SPEC = /\.ya?ml/i;
/** What editors leave beside a file: backups (`~`, `.bak`, `.orig`), swap and lock files (`.x.swp`, `.#x`, `#x#`). */
const EDITOR_FILE = /^[.#]|[~#]$|\.(swp|swo|swx|bak|orig|rej|tmp)$/i;
/** The temporary file of an interrupted `nodes import` (lib/gitops/writer.ts writeFileAtomically). */
const OWN_TEMPORARY = /^\..+\.tmp-([0-9]+-)?[0-9a-f]{12}$/;

/** A cluster's name is a DNS-1123 label: it names its dist/ folder and its deploy/ manifests. */
export function isClusterName(name: string): boolean {
  return checkDns1123Label(name) === undefined;
}

/** The spec file of one cluster, if it exists; a link or anything but a file in its place is refused. */
export function findClusterSpec(dir: string, cluster: string): string | undefined {
  const file = path.join(dir, `${cluster}${SPEC_EXTENSION}`);
  const type = entryType(file);
  if (type === 'missing') return undefined;
  if (type !== 'file') throw refusal(file, type, 'file');
  return file;
}

/** How specs are named in messages and in what calico-shield writes: relative to the repository (the cluster folder's parent), whatever the working directory. */
export function specLabel(dir: string, file: string): string {
  return [path.basename(dir), path.basename(file)].filter((p) => p !== '').join('/');
}

/** Reads one spec: its input, or the too-large finding when it is bigger than calico-shield reads. */
export function readSpec(dir: string, file: string, name: string): ClusterInput | Finding {
  const read = readRegularFile(file, MAX_SPEC_BYTES);
  const label = specLabel(dir, file);
  return 'tooLarge' in read ? tooLargeSpec(label, read.tooLarge) : { file: label, name, bytes: read.bytes };
}

/** Every spec in the folder, sorted by name, and the findings of specs too large to read. */
export function loadClusters(dir: string): { readonly inputs: readonly ClusterInput[]; readonly findings: readonly Finding[] } {
  const type = entryType(dir);
  if (type === 'missing') throw new FileError(dir, 'does not exist', 'create it with one <cluster>.yaml per cluster');
  if (type !== 'folder') throw refusal(dir, type, 'folder');
  const entries = about(dir, () => readdirSync(dir)).sort();
  const inputs: ClusterInput[] = [];
  const findings: Finding[] = [];
  for (const entry of entries) {
    if (OWN_TEMPORARY.test(entry)) continue;
    const file = path.join(dir, entry);
    const name = entry.slice(0, -SPEC_EXTENSION.length);
    if (entry.endsWith(SPEC_EXTENSION) && isClusterName(name)) {
      const spec = readSpec(dir, file, name);
      if ('severity' in spec) findings.push(spec);
      else inputs.push(spec);
    } else if (LOOKS_LIKE_SPEC.test(entry)) {
      throw notASpec(file, entry);
    }
  }
  if (inputs.length + findings.length === 0) throw new FileError(dir, `holds no cluster spec (<cluster>${SPEC_EXTENSION})`, 'start from clusters/example.yaml of calico-shield');
  return { inputs, findings };
}

/** Why a file named like a spec is not read, and what to do. */
function notASpec(file: string, entry: string): FileError {
  const base = entry.replace(/\.ya?ml$/i, '');
  if (EDITOR_FILE.test(entry)) {
    return new FileError(file, "looks like an editor's backup, swap or lock file of a spec; calico-shield reads only <cluster>.yaml files", 'delete it, or close the editor that keeps it');
  }
  if (base !== entry && isClusterName(base)) {
    return new FileError(file, `is not read: calico-shield reads only <cluster>${SPEC_EXTENSION} files, and would take the cluster ${base} as deleted`, `rename it to ${base}${SPEC_EXTENSION}`);
  }
  return new FileError(
    file,
    `is not read: a cluster file is named <cluster>${SPEC_EXTENSION} with a DNS-1123 label as cluster name (lower case letters, digits, '-')`,
    'rename it, or move it out of the cluster folder',
  );
}
