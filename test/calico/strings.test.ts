/** The shared string helpers: code-unit order, the small sort and the bounded memo. */
import fc from 'fast-check';
import { compareByName, compareText, memoize, sortSmall } from '../../lib/calico/strings';

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

describe('sortSmall', () => {
  /** Pairs compared by their first element only: ties show whether the sort is stable. */
  const byKey = (a: readonly [number, number], b: readonly [number, number]): number => a[0] - b[0];

  it('sorts as Array.prototype.sort does, stably, in place, small arrays and large', () => {
    fc.assert(
      // size 'max': lengths up to 40, on both sides of the 16 where the insertion sort stops.
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.nat()), { maxLength: 40, size: 'max' }), (items) => {
        const expected = [...items].sort(byKey);
        const sorted = sortSmall(items, byKey);
        expect(sorted).toBe(items);
        expect(sorted).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts texts in code-unit order, as sort() without a comparator does', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 4 }), { maxLength: 40, size: 'max' }), (texts) => {
        expect(sortSmall([...texts], compareText)).toEqual([...texts].sort());
      }),
      { numRuns: 2000 },
    );
  });
});
