/**
 * OffsetPositions: the fields of a deferred list's items are recorded item by item when one of
 * the item's fields is first asked for, all at once for a listing, and never for other fields.
 */
import { lineIndex, lineStarts, MAX_FLOW_DEPTH, OffsetPositions, TextLines, tooDeep } from '../../lib/spec/lines';
import { SourceText } from '../../lib/inventory/source-text';

const text = 'spec:\n  nodes:\n    - name: n1\n    - name: n2\n  other: 1\n';
const lines = new TextLines(text);
const OTHER = text.indexOf('other: ') + 7;
const item = (i: number): number => text.indexOf(`name: n${i + 1}`);

function deferred(): { positions: OffsetPositions; loads: string[] } {
  const positions = new OffsetPositions(lines, 'spec.nodes');
  positions.set('spec', 6);
  positions.set('spec.nodes', text.indexOf('- name'));
  // Left out: the list's items are deferred.
  positions.set('spec.nodes[0].name', item(0) + 6);
  positions.set('spec.other', OTHER);
  const loads: string[] = [];
  positions.defer({
    item: (i) => {
      loads.push(`item ${i}`);
      const one = new OffsetPositions(lines);
      if (i < 2) {
        one.set(`spec.nodes[${i}]`, item(i));
        one.set(`spec.nodes[${i}].name`, item(i) + 6);
      }
      return one;
    },
    all: () => {
      loads.push('all');
      const all = new OffsetPositions(lines);
      all.set('spec', 6);
      all.set('spec.nodes', text.indexOf('- name'));
      for (const i of [0, 1]) {
        all.set(`spec.nodes[${i}]`, item(i));
        all.set(`spec.nodes[${i}].name`, item(i) + 6);
      }
      all.set('spec.other', OTHER);
      return all;
    },
  });
  return { positions, loads };
}

describe('OffsetPositions.defer', () => {
  it('answers fields outside the list without loading', () => {
    const { positions, loads } = deferred();
    expect(positions.get('spec.other')).toEqual({ line: 5, col: 10 });
    expect(positions.get('spec.nodes')).toEqual({ line: 3, col: 5 });
    expect(positions.has('spec.nodesX')).toBe(false);
    expect(positions.has('spec.missing')).toBe(false);
    expect(loads).toEqual([]);
  });

  it('loads an item once, on the first of its fields asked for', () => {
    const { positions, loads } = deferred();
    expect(positions.get('spec.nodes[1].name')).toEqual({ line: 4, col: 13 });
    expect(positions.has('spec.nodes[1]')).toBe(true);
    expect(positions.has('spec.nodes[0].labels')).toBe(false);
    expect(positions.has('spec.nodes[7]')).toBe(false);
    expect(loads).toEqual(['item 1', 'item 0', 'item 7']);
  });

  it('lists every field in the order of the full reading', () => {
    const { positions, loads } = deferred();
    positions.get('spec.nodes[1].name');
    expect([...positions].map(([path]) => path)).toEqual(['spec', 'spec.nodes', 'spec.nodes[0]', 'spec.nodes[0].name', 'spec.nodes[1]', 'spec.nodes[1].name', 'spec.other']);
    expect(positions.get('spec.nodes[0].name')).toEqual({ line: 3, col: 13 });
    expect(loads).toEqual(['item 1', 'all']);
  });
});

// The line reader and TextLines share one index of the lines (lib/spec/simple-yaml.ts Lines).
describe('lineStarts', () => {
  it.each(['', 'a', 'a\n', '\n\n', 'a\nbb\n\nccc', 'x\r\ny\n'])('starts a line at 0 and after each line break of %j', (text) => {
    // Each line's start: the lengths of the lines before it, each with its line break.
    const lines = text.split('\n');
    const expected = lines.map((_, i) => lines.slice(0, i).reduce((n, l) => n + l.length + 1, 0));
    expect(lineStarts(text)).toEqual(expected);
    expect(new TextLines(text).starts).toEqual(expected);
  });

  it("gives the line reader its own starts for its own text, and another text's found again", () => {
    const own = new TextLines('a\nb\n');
    expect(own.startsOf('a\nb\n')).toBe(own.starts);
    expect(own.startsOf('abc\nd\ne')).toEqual([0, 4, 6]);
  });
});

describe('lineIndex', () => {
  it.each(['', 'a', 'a\n', '\n\n', 'a\nbb\n\nccc', 'x\r\ny\n'])('gives every offset of %j the line that holds it, as counting line breaks does', (text) => {
    const starts = lineStarts(text);
    // The spec's positions (TextLines) and nodes import's edits (SourceText) read lines with it.
    const positions = new TextLines(text);
    const source = new SourceText(text);
    // An offset past the text counts as on the last line, as an end offset does.
    for (let offset = 0; offset <= text.length + 1; offset++) {
      const line = (text.slice(0, offset).match(/\n/g) ?? []).length;
      expect(lineIndex(starts, offset)).toBe(line);
      expect(positions.linePos(offset)).toEqual({ line: line + 1, col: offset - (starts[line] as number) + 1 });
      expect(source.lineOf(offset)).toBe(line);
      expect(source.columnOf(offset)).toBe(offset - (starts[line] as number));
    }
  });
});

// yaml's parser recurses per flow level: past MAX_FLOW_DEPTH the spec is refused where it goes deeper.
describe('tooDeep', () => {
  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
  it.each<[string, string, number | undefined]>([
    ['nesting up to the limit', `a: ${deep(MAX_FLOW_DEPTH)}\n`, undefined],
    ['the bracket past the limit', `a: ${deep(MAX_FLOW_DEPTH + 1)}\n`, 3 + MAX_FLOW_DEPTH],
    ['brackets in double quotes, an escaped quote inside', `a: "\\"${'['.repeat(200)}"\n`, undefined],
    ['brackets in single quotes', `a: '${'{'.repeat(200)}'\n`, undefined],
    ['brackets in a comment after a space', `a: 1 #${'['.repeat(200)}\n`, undefined],
    ['brackets in a comment after a tab or a no-break space', `a:\t#${'['.repeat(200)}\nb:\u00a0#${'['.repeat(200)}\n`, undefined],
    ['a # inside a word, which is no comment', `a: b#${'['.repeat(101)}\n`, 5 + MAX_FLOW_DEPTH],
    // Closings without openers do not lower the depth below none (found by review).
    ['closing brackets without openers, then nesting past the limit', `a: ]]]}}} ${deep(MAX_FLOW_DEPTH + 1)}\n`, 10 + MAX_FLOW_DEPTH],
  ])('finds %s', (_title, text, offset) => {
    expect(tooDeep(text)).toBe(offset);
  });
});
