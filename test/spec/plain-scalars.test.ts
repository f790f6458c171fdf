/**
 * isNonString (lib/spec/plain-scalars.ts) is the yaml library's core-schema tests joined into
 * one expression: it must say what the tests say, one by one, for every plain scalar.
 */
import fc from 'fast-check';
import { isNonString, NON_STRING } from '../../lib/spec/plain-scalars';
import { announce, fuzzParams } from '../fuzz/harness';

announce('test/spec/plain-scalars.test.ts');

const oneByOne = (s: string): boolean => NON_STRING.some((t) => t.test(s));

describe('isNonString', () => {
  it('reads the core schema edge cases as its tests do, one by one', () => {
    const samples = ['', '~', 'null', 'Null', 'NULL', 'nUll', 'true', 'True', 'TRUE', 'tRue', 'false', 'no', 'yes', '0', '007', '+12', '-0', '0o17', '0o8', '0x1F', '0xg', '1.5', '.5', '5.', '1e3', '1.5E-3', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'nan', '10.0.0.1', '1.2.3', 'fd00::1', '10.0.0.0/8', 'node-1', 'a\nnull', 'null\n', '1\n2'];
    const verdicts = samples.map((s) => [s, isNonString(s)]);
    expect(verdicts).toEqual(samples.map((s) => [s, oneByOne(s)]));
    // Both answers among the samples.
    expect(verdicts.filter(([, v]) => v)).toHaveLength(25);
  });

  it('reads random scalars as its tests do, one by one', () => {
    const scalar = fc.array(fc.constantFrom('0', '1', '7', '8', '9', 'a', 'e', 'E', 'f', 'F', 'x', 'o', 'n', 'N', 'u', 'l', 'L', 't', 'r', 'T', 'i', 'I', '.', '+', '-', '~', ':', '/', ' ', '\n'), { maxLength: 8 }).map((cs) => cs.join(''));
    let nonStrings = 0;
    fc.assert(
      fc.property(scalar, (s) => {
        expect(isNonString(s)).toBe(oneByOne(s));
        if (oneByOne(s)) nonStrings++;
      }),
      fuzzParams(0.5),
    );
    expect(nonStrings).toBeGreaterThan(0);
  });
});
