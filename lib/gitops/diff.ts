import { structuredPatch } from 'diff';

/** How two trees of files differ, as `diffTrees` reports it. */
export interface TreeDiff {
  /** Paths in both trees whose content differs. */
  readonly changed: readonly string[];
  /** Paths only in the actual tree. */
  readonly added: readonly string[];
  /** Paths only in the expected tree. */
  readonly missing: readonly string[];
  /** The unified diffs of every changed, added and missing file, sorted by path. */
  readonly text: string;
}

/**
 * A unified diff of two texts, as `diff -u` prints it, with a minimal set of changed lines; '' when they are equal.
 * The edit script and hunks come from the `diff` package (Myers' algorithm); this prints them
 * as `diff -u` does (a count of 1 left out, an empty range numbered by the line before it).
 *
 * Labels are printed as given after `---` and `+++`, e.g. `a/kustomization.yaml` or `/dev/null`.
 * Lines are compared with their line ending, so a last line without one differs from the same
 * line with one, and is followed by `\ No newline at end of file`.
 */
export function unifiedDiff(oldText: string, newText: string, oldLabel: string, newLabel: string, context = 3): string {
  if (!Number.isInteger(context) || context < 0) {
    throw new Error(`Diff context ${context} must be a whole number of lines, 0 or more.`);
  }
  if (oldText === newText) {
    return '';
  }
  const patch = structuredPatch(oldLabel, newLabel, oldText, newText, undefined, undefined, { context });
  const out: string[] = [`--- ${oldLabel}\n`, `+++ ${newLabel}\n`];
  for (const hunk of patch.hunks) {
    out.push(`@@ -${hunkRange(hunk.oldStart, hunk.oldLines)} +${hunkRange(hunk.newStart, hunk.newLines)} @@\n`);
    for (const line of hunk.lines) out.push(`${line}\n`);
  }
  return out.join('');
}

/** Paths in the expected or actual tree of `diffTrees`, the sides of its unified diffs. */
export interface TreeLabels {
  /** @default 'a' */
  readonly expected: string;
  /** @default 'b' */
  readonly actual: string;
}

/**
 * How `actual` differs from `expected`, file by file. The diffs go from the actual tree to the
 * expected one, so they read as the change that would make the actual tree right; each side is
 * labelled `<path> (<label>)`.
 */
export function diffTrees(expected: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>, labels: TreeLabels = { expected: 'expected', actual: 'actual' }): TreeDiff {
  const changed: string[] = [];
  const added: string[] = [];
  const missing: string[] = [];
  const texts: string[] = [];
  for (const path of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const before = expected.get(path);
    const after = actual.get(path);
    if (before === undefined) {
      added.push(path);
    } else if (after === undefined) {
      missing.push(path);
    } else if (before !== after) {
      changed.push(path);
    } else {
      continue;
    }
    const oldLabel = after === undefined ? '/dev/null' : `${path} (${labels.actual})`;
    const newLabel = before === undefined ? '/dev/null' : `${path} (${labels.expected})`;
    texts.push(unifiedDiff(after ?? '', before ?? '', oldLabel, newLabel));
  }
  return { changed, added, missing, text: texts.join('') };
}

/** `diff -u` numbers an empty range by the line before it, and leaves out a count of 1; `diff` gives 1-based starts. */
function hunkRange(start: number, count: number): string {
  if (count === 0) {
    return `${Math.max(0, start - 1)},0`;
  }
  return count === 1 ? `${start}` : `${start},${count}`;
}
