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

/** A run of changed lines: old lines [oldStart, oldEnd) are replaced by new lines [newStart, newEnd). */
interface Change {
  readonly oldStart: number;
  readonly oldEnd: number;
  readonly newStart: number;
  readonly newEnd: number;
}

/**
 * A unified diff of two texts, as `diff -u` prints it, with a minimal set of changed lines; '' when they are equal.
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
  const oldLines = splitLines(oldText);
  const newLines = splitLines(newText);
  const changes = findChanges(oldLines, newLines);

  const out: string[] = [`--- ${oldLabel}\n`, `+++ ${newLabel}\n`];
  for (let first = 0; first < changes.length; ) {
    // Changes at most 2 * context lines apart share a hunk, as in diff -u.
    let last = first;
    while (last + 1 < changes.length && changes[last + 1].oldStart - changes[last].oldEnd <= 2 * context) {
      last += 1;
    }
    const oldStart = Math.max(0, changes[first].oldStart - context);
    const newStart = changes[first].newStart - (changes[first].oldStart - oldStart);
    const oldEnd = Math.min(oldLines.length, changes[last].oldEnd + context);
    const newEnd = changes[last].newEnd + (oldEnd - changes[last].oldEnd);
    out.push(`@@ -${hunkRange(oldStart, oldEnd - oldStart)} +${hunkRange(newStart, newEnd - newStart)} @@\n`);

    let line = oldStart;
    for (const change of changes.slice(first, last + 1)) {
      for (; line < change.oldStart; line += 1) {
        out.push(printLine(' ', oldLines[line]));
      }
      for (let i = change.oldStart; i < change.oldEnd; i += 1) {
        out.push(printLine('-', oldLines[i]));
      }
      for (let j = change.newStart; j < change.newEnd; j += 1) {
        out.push(printLine('+', newLines[j]));
      }
      line = change.oldEnd;
    }
    for (; line < oldEnd; line += 1) {
      out.push(printLine(' ', oldLines[line]));
    }
    first = last + 1;
  }
  return out.join('');
}

/**
 * Compares two trees of files (path → content), e.g. what calico-shield would write to
 * `dist/<cluster>/` and what is there.
 *
 * The text reads like `diff -u expected actual` for every file that differs: `-` lines are
 * expected, `+` lines are actual, and a file that one side lacks is diffed against an empty file
 * labelled `/dev/null`. An empty file that one side lacks is listed but, as with `diff -u`, has
 * no text.
 */
export function diffTrees(expected: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>): TreeDiff {
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
    const oldLabel = before === undefined ? '/dev/null' : `a/${path}`;
    const newLabel = after === undefined ? '/dev/null' : `b/${path}`;
    texts.push(unifiedDiff(before ?? '', after ?? '', oldLabel, newLabel));
  }
  return { changed, added, missing, text: texts.join('') };
}

/** Lines with their '\n'; only the last one may lack it. */
function splitLines(text: string): string[] {
  const lines = text.split('\n').map((line, index, all) => (index < all.length - 1 ? `${line}\n` : line));
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/** `diff -u` numbers an empty range by the line before it, and leaves out a count of 1. */
function hunkRange(start: number, count: number): string {
  if (count === 0) {
    return `${start},0`;
  }
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

function printLine(prefix: string, line: string): string {
  return line.endsWith('\n') ? `${prefix}${line}` : `${prefix}${line}\n\\ No newline at end of file\n`;
}

/** The runs of changed lines of a shortest edit script, in order. */
function findChanges(oldLines: readonly string[], newLines: readonly string[]): Change[] {
  const ids = new Map<string, number>();
  const intern = (line: string): number => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };
  const a = Int32Array.from(oldLines, intern);
  const b = Int32Array.from(newLines, intern);
  const removed = new Uint8Array(a.length);
  const inserted = new Uint8Array(b.length);
  markEdits(a, b, removed, inserted);

  // Lines left unmarked on both sides are the common subsequence, so they pair up in order.
  const changes: Change[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && removed[i] === 0 && inserted[j] === 0) {
      i += 1;
      j += 1;
      continue;
    }
    const oldStart = i;
    const newStart = j;
    while (i < a.length && removed[i] === 1) {
      i += 1;
    }
    while (j < b.length && inserted[j] === 1) {
      j += 1;
    }
    changes.push({ oldStart, oldEnd: i, newStart, newEnd: j });
  }
  return changes;
}

/**
 * Marks the removed lines of `a` and the inserted lines of `b` in a shortest edit script.
 *
 * Myers' O(ND) algorithm in linear space ("An O(ND) Difference Algorithm and Its Variations",
 * 1986, section 4b): find the middle snake of an optimal path, then solve both halves. Files that
 * differ by a few lines cost little more than reading them.
 */
function markEdits(a: Int32Array, b: Int32Array, removed: Uint8Array, inserted: Uint8Array): void {
  const solve = (aStart: number, aEnd: number, bStart: number, bEnd: number): void => {
    while (aStart < aEnd && bStart < bEnd && a[aStart] === b[bStart]) {
      aStart += 1;
      bStart += 1;
    }
    while (aStart < aEnd && bStart < bEnd && a[aEnd - 1] === b[bEnd - 1]) {
      aEnd -= 1;
      bEnd -= 1;
    }
    if (aStart === aEnd || bStart === bEnd) {
      removed.fill(1, aStart, aEnd);
      inserted.fill(1, bStart, bEnd);
      return;
    }
    const split = middleSnake(aStart, aEnd, bStart, bEnd);
    if (split === undefined) {
      removed.fill(1, aStart, aEnd);
      inserted.fill(1, bStart, bEnd);
      return;
    }
    solve(aStart, split.a, bStart, split.b);
    solve(split.a, aEnd, split.b, bEnd);
  };

  /**
   * A point on a shortest path from (aStart, bStart) to (aEnd, bEnd), about half of its edits
   * from either end; undefined when the ranges have no line in common.
   *
   * Paths are searched from both ends at once, d edits at a time; forward[k] is the furthest
   * index into a reached on diagonal k = x - y, backward[k] how far from aEnd the backward search
   * got on diagonal delta - k. The first diagonal where they meet holds the point.
   */
  const middleSnake = (aStart: number, aEnd: number, bStart: number, bEnd: number): { a: number; b: number } | undefined => {
    const n = aEnd - aStart;
    const m = bEnd - bStart;
    const maxD = Math.ceil((n + m) / 2);
    const offset = maxD + 1;
    const forward = new Int32Array(2 * offset + 1).fill(-1);
    const backward = new Int32Array(2 * offset + 1).fill(-1);
    forward[offset + 1] = 0;
    backward[offset + 1] = 0;
    const delta = n - m;
    // With an odd delta the paths meet after a forward step, with an even one after a backward step.
    const meetForward = delta % 2 !== 0;
    // Diagonals that ran off the grid are skipped from then on.
    let forwardLow = 0;
    let forwardHigh = 0;
    let backwardLow = 0;
    let backwardHigh = 0;
    for (let d = 0; d < maxD; d += 1) {
      for (let k = -d + forwardLow; k <= d - forwardHigh; k += 2) {
        let x = k === -d || (k !== d && forward[offset + k - 1] < forward[offset + k + 1]) ? forward[offset + k + 1] : forward[offset + k - 1] + 1;
        let y = x - k;
        while (x < n && y < m && a[aStart + x] === b[bStart + y]) {
          x += 1;
          y += 1;
        }
        forward[offset + k] = x;
        if (x > n) {
          forwardHigh += 2;
        } else if (y > m) {
          forwardLow += 2;
        } else if (meetForward && Math.abs(delta - k) <= d) {
          const back = backward[offset + delta - k];
          if (back !== -1 && x >= n - back) {
            return { a: aStart + x, b: bStart + y };
          }
        }
      }
      for (let k = -d + backwardLow; k <= d - backwardHigh; k += 2) {
        let x = k === -d || (k !== d && backward[offset + k - 1] < backward[offset + k + 1]) ? backward[offset + k + 1] : backward[offset + k - 1] + 1;
        let y = x - k;
        while (x < n && y < m && a[aEnd - 1 - x] === b[bEnd - 1 - y]) {
          x += 1;
          y += 1;
        }
        backward[offset + k] = x;
        if (x > n) {
          backwardHigh += 2;
        } else if (y > m) {
          backwardLow += 2;
        } else if (!meetForward && Math.abs(delta - k) <= d) {
          const forwardK = delta - k;
          const reached = forward[offset + forwardK];
          if (reached !== -1 && reached >= n - x) {
            return { a: aStart + reached, b: bStart + reached - forwardK };
          }
        }
      }
    }
    return undefined;
  };

  solve(0, a.length, 0, b.length);
}
