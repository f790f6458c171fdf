/** The order findings are printed in must not depend on the machine: no locale collation. */
import { sortFindings, type Finding } from '../../lib/spec/errors';

const finding = (file: string, message: string): Finding => ({ severity: 'error', code: 'bad-ip', message, file, line: 1, col: 1 });

describe('sortFindings', () => {
  it('compares files and messages by code unit, not by a locale collation', () => {
    // A locale collation puts "é" before "z" and "a" before "B"; code units put them the other way.
    const sorted = sortFindings([finding('clusters/é.yaml', 'x'), finding('clusters/z.yaml', 'x'), finding('clusters/a.yaml', 'a'), finding('clusters/a.yaml', 'B')]);
    expect(sorted.map((f) => `${f.file} ${f.message}`)).toEqual(['clusters/a.yaml B', 'clusters/a.yaml a', 'clusters/z.yaml x', 'clusters/é.yaml x']);
  });
});
