/**
 * The JSON Schema shipped for editor completion agrees with the parser: every spec the
 * parser accepts validates, and the broken ones the schema can see are refused by both.
 */
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseClusterSpec } from '../../lib/spec/parse';
import { CLUSTERS } from '../support/cli';
import { ROOT, readSpec, specFile } from '../support/paths';

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/cluster.v1alpha1.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** The examples (their copies, see specFile) and the other fixtures. */
const specFiles = [
  ...CLUSTERS.map((name) => `clusters/${name}.yaml`),
  ...fs.readdirSync(path.join(ROOT, 'test/fixtures/clusters')).filter((f) => f.endsWith('.yaml')).map((f) => `test/fixtures/clusters/${f}`),
];

describe('schemas/cluster.v1alpha1.schema.json', () => {
  it.each(specFiles)('can validate %s, which the parser accepts too', (file) => {
    const text = fs.readFileSync(specFile(file));
    expect(parseClusterSpec(file, path.basename(file, '.yaml'), text).findings).toEqual([]);
    expect(validate(parse(text.toString('utf8')))).toBe(true);
  });

  it('can point every spec file at the schema for editor completion', () => {
    for (const file of specFiles) expect(readSpec(file)).toMatch(/^# yaml-language-server: \$schema=.*cluster\.v1alpha1\.schema\.json/);
  });

  const base = parse(readSpec('clusters/example.yaml')) as { spec: Record<string, unknown> };
  it.each([
    ['an unknown field', { ...base, spec: { ...base.spec, approch: 'deny-list' } }],
    ['a missing approach', { ...base, spec: { ...base.spec, approach: undefined } }],
    ['an unknown approach', { ...base, spec: { ...base.spec, approach: 'blacklist' } }],
    ['port 0', { ...base, spec: { ...base.spec, metrics: { typha: { port: 0 } } } }],
    ['port 70000', { ...base, spec: { ...base.spec, metrics: { typha: { port: 70000 } } } }],
  ])('fails %s', (_name, spec) => {
    const json = JSON.parse(JSON.stringify(spec)) as unknown;
    expect(validate(json)).toBe(false);
  });
});
