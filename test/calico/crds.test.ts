/**
 * The CRDs of every Calico release calico-shield compiles for (crds/calico-<release>/):
 * where they come from, that the derived v3 files of v3.30.7 and v3.31.7 are exactly what
 * scripts/calico-crds.js makes of the upstream ones, and which fields differ between the
 * releases — the differences lib/calico/versions.ts and the charts act on, and no others.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CALICO_MINORS, CALICO_RELEASES, type CalicoMinor } from '../../lib/calico/versions';
import { ROOT } from '../support/compile';

const { derivedFiles } = require('../../scripts/calico-crds.js') as { derivedFiles(): [string, string][] };

const KINDS = ['felixconfigurations', 'globalnetworkpolicies', 'globalnetworksets', 'hostendpoints', 'kubecontrollersconfigurations', 'networkpolicies', 'networksets'];
const crdDir = (minor: CalicoMinor): string => path.join(ROOT, 'crds', `calico-${CALICO_RELEASES[minor].release}`);

type Schema = { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean };

/** Every field path under the CRD's spec, e.g. `spec.ingress[].source.nets[]`. */
function specFields(minor: CalicoMinor, plural: string): Set<string> {
  const crd = parse(fs.readFileSync(path.join(crdDir(minor), `projectcalico.org_${plural}.yaml`), 'utf8')) as {
    spec: { group: string; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  expect(crd.spec.group).toBe('projectcalico.org');
  expect(crd.spec.versions.map((v) => v.name)).toEqual(['v3']);
  const out = new Set<string>();
  const walk = (s: Schema | undefined, at: string): void => {
    if (!s) return;
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      out.add(`${at}.${k}`);
      walk(v, `${at}.${k}`);
    }
    if (s.items) walk(s.items, `${at}[]`);
  };
  walk(crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.['spec'], 'spec');
  return out;
}

function difference(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((x) => !b.has(x)).sort();
}

describe('the pinned Calico CRDs', () => {
  it.each(CALICO_MINORS)('hold the seven kinds calico-shield writes for Calico %s, as projectcalico.org/v3', (minor) => {
    const files = fs.readdirSync(crdDir(minor)).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual(KINDS.map((k) => `projectcalico.org_${k}.yaml`));
    const source = fs.readFileSync(path.join(crdDir(minor), 'SOURCE.md'), 'utf8');
    expect(source).toContain(`Tag: ${CALICO_RELEASES[minor].release} (commit ${CALICO_RELEASES[minor].commit})`);
  });

  it.each(['v3.30', 'v3.31'] as const)('of Calico %s are the upstream crd.projectcalico.org/v1 files named in SOURCE.md, byte for byte', (minor) => {
    const source = fs.readFileSync(path.join(crdDir(minor), 'SOURCE.md'), 'utf8');
    for (const kind of KINDS) {
      const file = `crd.projectcalico.org_${kind}.yaml`;
      const sha = createHash('sha256').update(fs.readFileSync(path.join(crdDir(minor), 'upstream', file))).digest('hex');
      expect(source).toContain(`| upstream/${file} | ${sha} |`);
    }
  });

  it('of v3.30.7 and v3.31.7 are what scripts/calico-crds.js derives, which renames only group, name and version', () => {
    const derived = derivedFiles();
    expect(derived).toHaveLength(2 * KINDS.length);
    for (const [file, text] of derived) {
      expect(fs.readFileSync(file, 'utf8')).toBe(text);
      const upstream = fs.readFileSync(path.join(path.dirname(file), 'upstream', `crd.${path.basename(file)}`), 'utf8').split('\n');
      const changed = text.split('\n').filter((line, i) => line !== upstream[i]);
      expect(changed).toEqual([expect.stringMatching(/^ {2}name: [a-z]+\.projectcalico\.org$/), '  group: projectcalico.org', expect.stringMatching(/^ {2,4}- name: v3$/)]);
    }
  });

  // The charts write these five kinds with v3.32's constructs for every minor: their fields must be the same.
  it.each(['globalnetworkpolicies', 'globalnetworksets', 'hostendpoints', 'networkpolicies', 'networksets'])('declare the same %s fields in v3.30, v3.31 and v3.32', (plural) => {
    const v332 = specFields('v3.32', plural);
    expect(v332.size).toBeGreaterThan(0);
    for (const minor of ['v3.30', 'v3.31'] as const) {
      const older = specFields(minor, plural);
      expect([minor, difference(v332, older), difference(older, v332)]).toEqual([minor, [], []]);
    }
  });

  it('differ in the KubeControllersConfiguration fields calico-shield writes only by templates[].interfacePattern, new in v3.31', () => {
    const hostEndpoint = (minor: CalicoMinor): Set<string> =>
      new Set([...specFields(minor, 'kubecontrollersconfigurations')].filter((f) => f.startsWith('spec.controllers.node.hostEndpoint')));
    expect(difference(hostEndpoint('v3.31'), hostEndpoint('v3.30'))).toEqual(['spec.controllers.node.hostEndpoint.templates[].interfacePattern']);
    expect(difference(hostEndpoint('v3.30'), hostEndpoint('v3.31'))).toEqual([]);
    expect([difference(hostEndpoint('v3.32'), hostEndpoint('v3.31')), difference(hostEndpoint('v3.31'), hostEndpoint('v3.32'))]).toEqual([[], []]);
    for (const minor of CALICO_MINORS) expect(hostEndpoint(minor).has('spec.controllers.node.hostEndpoint.templates[].interfacePattern')).toBe(CALICO_RELEASES[minor].templateInterfacePattern);
    for (const minor of CALICO_MINORS) expect(hostEndpoint(minor).has('spec.controllers.node.hostEndpoint.createDefaultHostEndpoint')).toBe(true);
  });

  it('have natOutgoingExclusions in FelixConfiguration from v3.31, and the failsafe lists in all three', () => {
    for (const minor of CALICO_MINORS) {
      const fields = specFields(minor, 'felixconfigurations');
      expect([minor, fields.has('spec.natOutgoingExclusions')]).toEqual([minor, CALICO_RELEASES[minor].natOutgoingExclusions]);
      for (const f of ['spec.failsafeInboundHostPorts[].port', 'spec.failsafeInboundHostPorts[].protocol', 'spec.failsafeOutboundHostPorts[].net']) expect(fields.has(f)).toBe(true);
    }
    // Per-node-selector FelixConfigurations (which would override default's failsafe lists) are v3.32's only.
    expect(CALICO_MINORS.filter((m) => specFields(m, 'felixconfigurations').has('spec.nodeSelector'))).toEqual(['v3.32']);
  });
});
