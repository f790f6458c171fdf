/**
 * The cluster folder of a GitOps repository: one `<cluster>.yaml` per cluster. Reading it is
 * the edge's job (lib/cli.ts, lib/nodes-command.ts); the name rule is the one every stage uses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkDns1123Label } from './calico/validate';
import type { ClusterInput } from './pipeline';

const SPEC_FILE = /\.ya?ml$/;

/** A cluster's name is a DNS-1123 label: it names its dist/ folder and its deploy/ manifests. */
export function isClusterName(name: string): boolean {
  return checkDns1123Label(name) === undefined;
}

/** The spec file of one cluster (`.yaml`, else `.yml`), if it exists. */
export function findClusterSpec(dir: string, cluster: string): string | undefined {
  return ['.yaml', '.yml'].map((ext) => path.join(dir, `${cluster}${ext}`)).find((f) => fs.existsSync(f));
}

/** Every spec in the folder, sorted by name; a message when the folder cannot be used. */
export function loadClusters(dir: string, cwd: string): ClusterInput[] | string {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return `cannot read the cluster folder ${path.relative(cwd, dir) || dir}: create it with one <cluster>.yaml per cluster`;
  }
  const specs = entries.filter((e) => SPEC_FILE.test(e)).sort();
  if (specs.length === 0) return `no cluster specs (*.yaml) in ${path.relative(cwd, dir) || dir}`;
  const names = new Map<string, string>();
  const out: ClusterInput[] = [];
  for (const e of specs) {
    const name = e.replace(SPEC_FILE, '');
    if (names.has(name)) return `${names.get(name)} and ${e} describe the same cluster ${JSON.stringify(name)}: keep one`;
    if (!isClusterName(name)) {
      return `${e}: a cluster file is named <cluster>.yaml with a DNS-1123 label as cluster name (lower case letters, digits, '-'); rename it`;
    }
    names.set(name, e);
    const full = path.join(dir, e);
    out.push({ file: path.relative(cwd, full) || full, name, bytes: fs.readFileSync(full) });
  }
  return out;
}
