#!/usr/bin/env node
// Derives the projectcalico.org/v3 CRDs of the Calico releases that ship none.
//
// Calico v3.30 and v3.31 serve projectcalico.org/v3 through calico-apiserver only; their
// repository holds the crd.projectcalico.org/v1 CRDs of the same kinds (libcalico-go/config/crd),
// whose spec schemas are the v3 types' (both generated from api/pkg/apis/projectcalico/v3). This
// script copies each upstream file (crds/calico-<tag>/upstream/, byte-for-byte from the tag) to
// crds/calico-<tag>/projectcalico.org_<plural>.yaml with only the group, the CRD's name and the
// version renamed, so that `cdk8s import` and the schema checks read the v3 objects calico-shield
// writes. Nothing else changes: a test compares every derived file with this script's output.
//
//   node scripts/calico-crds.js           write the derived files
//   node scripts/calico-crds.js --check   exit 1 if a derived file is missing or differs
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
/** Releases whose CRDs are derived here (v3.32.1 ships projectcalico.org/v3 CRDs itself). */
const DERIVED = ['v3.30.7', 'v3.31.7'];

/** The three lines that change, each found exactly once. */
const RENAMES = [
  { from: /^( {2}name: [a-z]+)\.crd\.projectcalico\.org$/m, to: '$1.projectcalico.org' },
  { from: /^( {2}group: )crd\.projectcalico\.org$/m, to: '$1projectcalico.org' },
  { from: /^( {2,4}- name: )v1$/m, to: '$1v3' },
];

function derive(text, file) {
  let out = text;
  for (const r of RENAMES) {
    const global = new RegExp(r.from.source, 'gm');
    const count = (text.match(global) ?? []).length;
    if (count !== 1) throw new Error(`${file}: expected one line matching ${r.from}, found ${count}`);
    out = out.replace(r.from, r.to);
  }
  return out;
}

/** [derived file, its text] for every upstream file of every derived release. */
function derivedFiles() {
  return DERIVED.flatMap((tag) => {
    const dir = path.join(ROOT, 'crds', `calico-${tag}`);
    const upstream = path.join(dir, 'upstream');
    return fs
      .readdirSync(upstream)
      .filter((f) => /^crd\.projectcalico\.org_[a-z]+\.yaml$/.test(f))
      .sort()
      .map((f) => [path.join(dir, f.replace(/^crd\./, '')), derive(fs.readFileSync(path.join(upstream, f), 'utf8'), path.join(upstream, f))]);
  });
}

function main(args) {
  const check = args.includes('--check');
  let stale = 0;
  for (const [file, text] of derivedFiles()) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    if (check) {
      console.error(`${path.relative(ROOT, file)} is not what scripts/calico-crds.js derives: run node scripts/calico-crds.js`);
      stale++;
    } else fs.writeFileSync(file, text);
  }
  if (stale > 0) process.exitCode = 1;
}

module.exports = { derivedFiles };
if (require.main === module) main(process.argv.slice(2));
