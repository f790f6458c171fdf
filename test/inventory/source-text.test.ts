import { applyEdits, SourceText } from '../../lib/inventory/source-text';

const NODES = [
  'nodes:', //                        0
  '  # the control plane', //         1
  '  - name: a   # tainted', //       2
  '    interfaces:', //               3
  '      - name: eth0', //            4
  '    # about a, deeper', //         5
  '', //                              6
  '  # workers', //                   7
  '  - name: b', //                   8
  '', //                              9
  '  # more to come', //              10
  'metrics: {}', //                   11
  '',
].join('\n');

describe('SourceText', () => {
  const src = new SourceText(NODES);

  it.each<[string, number, number, 'item' | 'pair', number]>([
    ['can end an item before the next one, keeping its deeper comment', 2, 2, 'item', 5],
    ['can end the last item before a shallower comment and the next key', 8, 2, 'item', 8],
    ['can end a pair at its last deeper line, a comment included', 0, 0, 'pair', 10],
    ['can end a pair whose list is indented', 3, 4, 'pair', 4],
  ])('%s', (_, line, col, kind, end) => {
    expect(src.entryEnd(line, col, kind)).toBe(end);
  });

  it('can continue a pair over a list at its own column', () => {
    const flat = new SourceText('nodes:\n- name: a\n  # a comment\n- name: b\nmetrics: {}\n');
    expect(flat.entryEnd(0, 0, 'pair')).toBe(3);
  });

  it.each<[string, number, number, number]>([
    ['can take the comment lines right above an item', 2, 1, 1],
    ['can stop at a blank line', 8, 6, 7],
    ['can stop at the floor', 2, 2, 2],
  ])('%s', (_, line, floor, lead) => {
    expect(src.leadStart(line, floor)).toBe(lead);
  });

  it('can find lines and columns, with CRLF line ends', () => {
    const crlf = new SourceText('a: 1\r\n  b: 2\r\n');
    expect(crlf.eol).toBe('\r\n');
    expect(crlf.lineOf(8)).toBe(1);
    expect(crlf.columnOf(8)).toBe(2);
    expect(crlf.indent(1)).toBe(2);
    expect(crlf.isBlank(2)).toBe(true);
    expect(crlf.lineStart(5)).toBe(crlf.text.length);
  });
});

describe('applyEdits', () => {
  it('can apply edits given in any order, insertions at one offset in the order given and before a deletion there', () => {
    const text = '0123456789';
    const out = applyEdits(text, [
      { start: 8, end: 10, text: 'Z' },
      { start: 2, end: 4, text: '' },
      { start: 2, end: 2, text: 'a' },
      { start: 2, end: 2, text: 'b' },
    ]);
    expect(out).toBe('01ab4567Z');
  });

  it('fails on overlapping edits, a bug in calico-shield', () => {
    expect(() => applyEdits('0123', [{ start: 0, end: 3, text: '' }, { start: 2, end: 4, text: '' }])).toThrow(/overlaps/);
  });
});
