/**
 * Every object in dist/, as synth writes it for the example clusters, validates against its
 * CRD's openAPIV3Schema from the pinned CRDs of the cluster's own Calico minor (unknown fields
 * included) and passes that minor's validator rules (lib/calico/admission.ts), and so does the
 * output of every fixture cluster.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { admit } from '../lib/calico/admission';
import { LOCK_FILE } from '../lib/gitops/writer';
import { CalicoObject } from '../lib/calico/object';
import { CLUSTERS, removeWorkspaces, synth, workspace } from './support/cli';
import { compileOk, ROOT } from './support/compile';
import { CrdValidators, loadCrdValidators } from './support/crd-schema';
import { CALICO_MINORS, CALICO_RELEASES, type CalicoMinor } from '../lib/calico/versions';

const validators = new Map(CALICO_MINORS.map((m) => [m, loadCrdValidators(path.join(ROOT, `crds/calico-${CALICO_RELEASES[m].release}`))]));
const validatorsOf = (minor: CalicoMinor): CrdValidators => validators.get(minor) as CrdValidators;

/** The minor a dist/ folder was compiled for, from its lock. */
function minorOf(file: string): CalicoMinor {
  const cluster = file.split('/')[1] as string;
  const lock = JSON.parse(fs.readFileSync(path.join(work, 'dist', cluster, LOCK_FILE), 'utf8')) as { calicoVersion: string };
  const minor = CALICO_MINORS.find((m) => CALICO_RELEASES[m].release === lock.calicoVersion);
  if (minor === undefined) throw new Error(`${cluster}'s lock names Calico ${lock.calicoVersion}, which is not in lib/calico/versions.ts`);
  return minor;
}

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
    const minor = minorOf(file);
    for (const o of objects) {
      expect((o as { apiVersion: string }).apiVersion).toBe('projectcalico.org/v3');
      expect(validatorsOf(minor).validate(o)).toEqual([]);
    }
    // Calico's validator, beyond the schema: what calico-apiserver would refuse.
    expect(admit(objects as CalicoObject[], minor)).toEqual([]);
  });

  it.each(fixtures)('can validate every object compiled from test/fixtures/clusters/%s', (file) => {
    const { objects, spec } = compileOk(`test/fixtures/clusters/${file}`);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect(validatorsOf(spec.calicoVersion).validate(o)).toEqual([]);
    expect(admit(objects, spec.calicoVersion)).toEqual([]);
  });

  it('fails an object with a field the CRD does not declare', () => {
    const { objects } = compileOk('clusters/example.yaml');
    const broken = { ...objects[0], spec: { ...objects[0].spec, selectr: 'all()' } };
    for (const minor of CALICO_MINORS) expect(validatorsOf(minor).validate(broken).map((v) => v.path)).toContain('/spec/selectr');
  });
});
