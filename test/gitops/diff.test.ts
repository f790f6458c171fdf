import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffTrees, unifiedDiff } from '../../lib/gitops/diff';

/** Lines joined with '\n' after each. */
const lines = (...texts: readonly string[]): string => texts.map((text) => `${text}\n`).join('');
/** The numbers from..to as text. */
const numbers = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, index) => `${from + index}`);
const withLine = (all: readonly string[], index: number, text: string): string[] => all.map((line, i) => (i === index ? text : line));

const HEADER = '--- a/f\n+++ b/f\n';
const ONE_TO_TEN = numbers(1, 10);
const ONE_TO_TWENTY = numbers(1, 20);

type Case = readonly [name: string, oldText: string, newText: string, context: number, expected: string];

const cases: readonly Case[] = [
  ['equal texts', lines('a', 'b'), lines('a', 'b'), 3, ''],
  ['two empty texts', '', '', 3, ''],
  ['a file created from nothing', '', lines('a', 'b'), 3, `${HEADER}@@ -0,0 +1,2 @@\n+a\n+b\n`],
  ['a file emptied', lines('a'), '', 3, `${HEADER}@@ -1 +0,0 @@\n-a\n`],
  [
    'one changed line in the middle',
    lines(...ONE_TO_TEN),
    lines(...withLine(ONE_TO_TEN, 4, 'five')),
    3,
    `${HEADER}@@ -2,7 +2,7 @@\n${lines(' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8')}`,
  ],
  ['a changed first line', lines(...numbers(1, 5)), lines('one', ...numbers(2, 5)), 3, `${HEADER}@@ -1,4 +1,4 @@\n${lines('-1', '+one', ' 2', ' 3', ' 4')}`],
  ['a newline added at the end', 'a\nb', lines('a', 'b'), 3, `${HEADER}@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n`],
  ['a newline removed at the end', lines('a', 'b'), 'a\nb', 3, `${HEADER}@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n`],
  ['a last line changed, no newline on either side', 'a', 'b', 3, `${HEADER}@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n`],
  ['a context line without newline', 'a\nb\nc', 'x\nb\nc', 3, `${HEADER}@@ -1,3 +1,3 @@\n-a\n+x\n b\n c\n\\ No newline at end of file\n`],
  [
    'changes 6 lines apart, in one hunk',
    lines(...ONE_TO_TWENTY),
    lines(...withLine(withLine(ONE_TO_TWENTY, 4, 'x5'), 11, 'x12')),
    3,
    `${HEADER}@@ -2,14 +2,14 @@\n${lines(' 2', ' 3', ' 4', '-5', '+x5', ' 6', ' 7', ' 8', ' 9', ' 10', ' 11', '-12', '+x12', ' 13', ' 14', ' 15')}`,
  ],
  [
    'changes 7 lines apart, in two hunks',
    lines(...ONE_TO_TWENTY),
    lines(...withLine(withLine(ONE_TO_TWENTY, 4, 'x5'), 12, 'x13')),
    3,
    `${HEADER}@@ -2,7 +2,7 @@\n${lines(' 2', ' 3', ' 4', '-5', '+x5', ' 6', ' 7', ' 8')}@@ -10,7 +10,7 @@\n${lines(' 10', ' 11', ' 12', '-13', '+x13', ' 14', ' 15', ' 16')}`,
  ],
  ['an insertion without context', lines('1', '2', '3'), lines('1', '2', 'x', '3'), 0, `${HEADER}@@ -2,0 +3 @@\n+x\n`],
  ['a deletion without context', lines('1', '2', '3'), lines('1', '3'), 0, `${HEADER}@@ -2 +1,0 @@\n-2\n`],
  ['a change with one line of context', lines(...ONE_TO_TEN), lines(...withLine(ONE_TO_TEN, 4, 'five')), 1, `${HEADER}@@ -4,3 +4,3 @@\n${lines(' 4', '-5', '+five', ' 6')}`],
  ['lines moved down', lines('a', 'b', 'c', 'd'), lines('b', 'c', 'd', 'a'), 3, `${HEADER}@@ -1,4 +1,4 @@\n${lines('-a', ' b', ' c', ' d', '+a')}`],
];

/** GNU diff, when the system has it: the reference the outputs are compared with. */
function systemDiff(oldText: string, newText: string, options: readonly string[]): string | undefined {
  const folder = mkdtempSync(join(tmpdir(), 'calico-shield-diff-'));
  try {
    writeFileSync(join(folder, 'old'), oldText);
    writeFileSync(join(folder, 'new'), newText);
    const result = spawnSync('diff', [...options, '--label', 'a/f', '--label', 'b/f', join(folder, 'old'), join(folder, 'new')], { encoding: 'utf8' });
    return result.error === undefined && (result.status === 0 || result.status === 1) ? result.stdout : undefined;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
// GNU diff (diffutils) is on every machine calico-shield is developed and tested on: these
// tests compare against it and fail, rather than skip, when it is missing.
it('can find the system diff to compare with', () => {
  expect(spawnSync('diff', ['--version']).status).toBe(0);
});

/** Applies a unified diff to a text, checking every context and removed line. */
function applyPatch(oldText: string, patch: string): string {
  const oldLines = oldText.split(/(?<=\n)/).filter((line) => line !== '');
  const rows = patch.split('\n').slice(2, -1);
  const result: string[] = [];
  let next = 0;
  for (let r = 0; r < rows.length; r += 1) {
    const row = rows[r];
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(row);
    if (header !== null) {
      const start = header[2] === '0' ? Number(header[1]) : Number(header[1]) - 1;
      result.push(...oldLines.slice(next, start));
      next = start;
      continue;
    }
    const noNewline = rows[r + 1] === '\\ No newline at end of file';
    const text = row.slice(1) + (noNewline ? '' : '\n');
    r += noNewline ? 1 : 0;
    if (row[0] === ' ' || row[0] === '-') {
      if (oldLines[next] !== text) {
        throw new Error(`Patch row "${row}" does not match old line ${next + 1}.`);
      }
      next += 1;
    }
    if (row[0] === ' ' || row[0] === '+') {
      result.push(text);
    }
  }
  return result.join('') + oldLines.slice(next).join('');
}

const editCount = (patch: string): number => patch.split('\n').slice(2).filter((row) => row[0] === '-' || row[0] === '+').length;

/** A small deterministic generator (mulberry32), so that a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('unifiedDiff', () => {
  it.each(cases)('can diff %s', (_, oldText, newText, context, expected) => {
    expect(unifiedDiff(oldText, newText, 'a/f', 'b/f', context)).toBe(expected);
  });

  it.each(cases)('can print %s as diff -u does', (_, oldText, newText, context) => {
    expect(unifiedDiff(oldText, newText, 'a/f', 'b/f', context)).toBe(systemDiff(oldText, newText, [`-U${context}`]));
  });

  it('can find a shortest edit script that recreates the new text', () => {
    const next = random(20240601);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const text = (): string => {
      const body = Array.from({ length: Math.floor(next() * 12) }, () => pick(['a', 'b', 'c', 'd', 'e'])).join('\n');
      return body === '' || next() < 0.2 ? body : `${body}\n`;
    };
    const wrong: string[] = [];
    for (let run = 0; run < 300; run += 1) {
      const oldText = text();
      const newText = text();
      const patch = unifiedDiff(oldText, newText, 'a/f', 'b/f', Math.floor(next() * 4));
      const minimal = systemDiff(oldText, newText, ['-u', '--minimal']) ?? '';
      if (applyPatch(oldText, patch) !== newText || editCount(patch) !== editCount(minimal)) {
        wrong.push(JSON.stringify([oldText, newText]));
      }
    }
    expect(wrong).toEqual([]);
  });

  it('can diff 50,000 lines with three changes far apart', () => {
    const all = Array.from({ length: 50_000 }, (_, index) => `line ${index + 1}`);
    const changed = [...all.slice(0, 999), 'changed 1000', ...all.slice(1000, 25_000), 'inserted', ...all.slice(25_000, 48_999), ...all.slice(49_000)];
    const expected =
      `${HEADER}@@ -997,7 +997,7 @@\n${lines(' line 997', ' line 998', ' line 999', '-line 1000', '+changed 1000', ' line 1001', ' line 1002', ' line 1003')}` +
      `@@ -24998,6 +24998,7 @@\n${lines(' line 24998', ' line 24999', ' line 25000', '+inserted', ' line 25001', ' line 25002', ' line 25003')}` +
      `@@ -48997,7 +48998,6 @@\n${lines(' line 48997', ' line 48998', ' line 48999', '-line 49000', ' line 49001', ' line 49002', ' line 49003')}`;
    expect(unifiedDiff(lines(...all), lines(...changed), 'a/f', 'b/f')).toBe(expected);
  });

  it('can diff 2,000 lines that all changed', () => {
    const oldLines = Array.from({ length: 2000 }, (_, index) => `old ${index}`);
    const newLines = Array.from({ length: 2000 }, (_, index) => `new ${index}`);
    const expected = `${HEADER}@@ -1,2000 +1,2000 @@\n${lines(...oldLines.map((line) => `-${line}`), ...newLines.map((line) => `+${line}`))}`;
    expect(unifiedDiff(lines(...oldLines), lines(...newLines), 'a/f', 'b/f')).toBe(expected);
  });

  it('can print labels as given', () => {
    expect(unifiedDiff('', 'a\n', '/dev/null', 'b/stages/kustomization.yaml')).toBe('--- /dev/null\n+++ b/stages/kustomization.yaml\n@@ -0,0 +1 @@\n+a\n');
  });

  it.each([-1, 1.5, Number.NaN])('fails on a context of %p lines', (context) => {
    expect(() => unifiedDiff('a\n', 'b\n', 'a/f', 'b/f', context)).toThrow(`Diff context ${context} must be a whole number of lines, 0 or more.`);
  });
});

describe('diffTrees', () => {
  it('can report changed, added and missing files, sorted by path, each diff from the actual file to the expected one', () => {
    const expected = new Map([
      ['kustomization.yaml', 'resources:\n- a.yaml\n'],
      ['calico-shield.lock.json', '{}\n'],
      ['stages/10-policies/policy.yaml', 'old\n'],
    ]);
    const actual = new Map([
      ['kustomization.yaml', 'resources:\n- b.yaml\n'],
      ['calico-shield.lock.json', '{}\n'],
      ['README.md', 'hand-written\n'],
    ]);
    expect(diffTrees(expected, actual)).toEqual({
      changed: ['kustomization.yaml'],
      added: ['README.md'],
      missing: ['stages/10-policies/policy.yaml'],
      text:
        '--- README.md (actual)\n+++ /dev/null\n@@ -1 +0,0 @@\n-hand-written\n' +
        '--- kustomization.yaml (actual)\n+++ kustomization.yaml (expected)\n@@ -1,2 +1,2 @@\n resources:\n-- b.yaml\n+- a.yaml\n' +
        '--- /dev/null\n+++ stages/10-policies/policy.yaml (expected)\n@@ -0,0 +1 @@\n+old\n',
    });
  });

  it('can label the sides', () => {
    const text = diffTrees(new Map([['f', 'new\n']]), new Map([['f', 'old\n']]), { expected: 'synth would write', actual: 'committed' }).text;
    expect(text).toBe('--- f (committed)\n+++ f (synth would write)\n@@ -1 +1 @@\n-old\n+new\n');
  });

  it('can report nothing for equal trees', () => {
    const tree = new Map([['kustomization.yaml', 'resources: []\n']]);
    expect(diffTrees(tree, new Map(tree))).toEqual({ changed: [], added: [], missing: [], text: '' });
  });

  it('can list a missing empty file that has no text', () => {
    expect(diffTrees(new Map([['empty.yaml', '']]), new Map())).toEqual({ changed: [], added: [], missing: ['empty.yaml'], text: '' });
  });
});
