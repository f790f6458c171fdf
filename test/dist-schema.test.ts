/**
 * Every object in dist/, as synth writes it for the example clusters, validates against its
 * CRD's openAPIV3Schema from the pinned Calico v3.32.1 CRDs (unknown fields included) and passes
 * Calico's own validator rules (lib/calico/admission.ts), and so does the output of every
 * fixture cluster.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { admit } from '../lib/calico/admission';
import { CalicoObject } from '../lib/calico/object';
import { CLUSTERS, removeWorkspaces, synth, workspace } from './support/cli';
import { compileOk, ROOT } from './support/compile';
import { loadCrdValidators } from './support/crd-schema';

const validators = loadCrdValidators(path.join(ROOT, 'crds/calico-v3.32.1'));

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(full);
    return e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml' ? [full] : [];
  });
}

/** A repository of the example clusters, synthesised while the tests are collected: there is a test per file of its dist/. */
const work = workspace('all');
synth(work);
afterAll(removeWorkspaces);

const distFiles = yamlFiles(path.join(work, 'dist')).map((f) => path.relative(work, f)).sort();
const fixtures = fs.readdirSync(path.join(ROOT, 'test/fixtures/clusters')).filter((f) => f.endsWith('.yaml')).sort();

describe('CRD schema and admission validation', () => {
  it('can find the synthesised files of every cluster in dist/', () => {
    expect(CLUSTERS.length).toBeGreaterThanOrEqual(2);
    for (const c of CLUSTERS) expect(distFiles.some((f) => f.startsWith(`dist/${c}/`))).toBe(true);
  });

  it.each(distFiles)('can validate every object of %s', (file) => {
    const docs = parseAllDocuments(fs.readFileSync(path.join(work, file), 'utf8'));
    const objects = (Array.isArray(docs) ? docs : []).map((d) => d.toJS() as unknown);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      expect((o as { apiVersion: string }).apiVersion).toBe('projectcalico.org/v3');
      expect(validators.validate(o)).toEqual([]);
    }
    // Calico's validator, beyond the schema: what calico-apiserver would refuse.
    expect(admit(objects as CalicoObject[])).toEqual([]);
  });

  it.each(fixtures)('can validate every object compiled from test/fixtures/clusters/%s', (file) => {
    const { objects } = compileOk(`test/fixtures/clusters/${file}`);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect(validators.validate(o)).toEqual([]);
    expect(admit(objects)).toEqual([]);
  });

  it('fails an object with a field the CRD does not declare', () => {
    const { objects } = compileOk('clusters/example.yaml');
    const broken = { ...objects[0], spec: { ...objects[0].spec, selectr: 'all()' } };
    expect(validators.validate(broken).map((v) => v.path)).toContain('/spec/selectr');
  });
});
