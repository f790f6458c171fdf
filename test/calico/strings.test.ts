/** The shared string helpers: code-unit order and the bounded memo. */
import { compareByName, compareText, memoize } from '../../lib/calico/strings';

describe('compareText', () => {
  it('orders by code unit, names by name', () => {
    expect(['b', 'é', 'B', 'a'].sort(compareText)).toEqual(['B', 'a', 'b', 'é']);
    expect([{ name: 'n2' }, { name: 'N1' }].sort(compareByName)).toEqual([{ name: 'N1' }, { name: 'n2' }]);
  });
});

describe('memoize', () => {
  it('calls the function once per argument, remembers undefined too, and starts again past its limit', () => {
    const calls: string[] = [];
    const f = memoize((s: string) => {
      calls.push(s);
      return s === 'none' ? undefined : s.length;
    }, 2);
    expect([f('a'), f('none'), f('a'), f('none')]).toEqual([1, undefined, 1, undefined]);
    expect(calls).toEqual(['a', 'none']);
    f('abc'); // a third argument: the memo starts again, holding only 'abc'
    expect([f('abc'), f('a')]).toEqual([3, 1]);
    expect(calls).toEqual(['a', 'none', 'abc', 'a']);
  });
});
