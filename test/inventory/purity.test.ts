import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// STYLE.md "Pure core": lib/inventory reads no file, stdin or environment; the CLI does.
describe('lib/inventory purity', () => {
  const dir = join(__dirname, '../../lib/inventory');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('can find the inventory sources', () => {
    expect(files).toEqual(expect.arrayContaining(['import-nodes.ts', 'parse-node-inventory.ts', 'source-text.ts']));
  });

  it.each(files)('can keep %s free of I/O', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    // lib/spec/lines.ts: line starts and the line of an offset, from a text (no I/O either).
    expect(imports.filter((i) => !/^(yaml|\.\/.*|\.\.\/calico\/.*|\.\.\/spec\/(types|lines))$/.test(i ?? ''))).toEqual([]);
    expect(text).not.toMatch(/\bprocess\.|\brequire\(/);
  });
});
