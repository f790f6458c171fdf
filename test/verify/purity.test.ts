import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// STYLE.md "Pure core": lib/verify imports no cdk8s, no fs, no process; only lib/calico, itself
// and the pure stages before it (the plan it checks, the findings it returns).
describe('lib/verify purity', () => {
  const dir = join(__dirname, '../../lib/verify');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('can find the verify sources', () => {
    expect(files).toEqual(expect.arrayContaining(['evaluator.ts', 'model.ts']));
  });

  it.each(files)('can keep %s free of I/O and of other stages', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.filter((i) => !/^(\.\/|\.\.\/calico\/|\.\.\/plan\/plan$|\.\.\/spec\/(errors|types)$)/.test(i ?? ''))).toEqual([]);
    expect(text).not.toMatch(/\bprocess\.|\brequire\(/);
  });
});
