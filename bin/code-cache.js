// Loads the calico-shield command's bundle (build/cli.js) with V8's code cache of it, when one
// was built for exactly that bundle.
//
// scripts/code-cache.js writes build/cli.cache when scripts/bundle.js bundles: the bytecode V8
// compiled while the bundle ran a synth of the repository's clusters, so that a run does not
// compile those functions again (read and compile of the bundle 80 -> 55 ms, and the functions
// compiled on first call; BENCHMARKS.md, "The ninth stop").
//
// V8 checks a cache against its own version, its flags and the source's length only, and
// trusts the rest (checksums are verified in debug builds of V8 only). So the file starts with
// the SHA-256 of the bundle's bytes and the cached data, and a cache that does not match is
// not handed to V8. Without a usable cache (none built, another bundle's, another Node's,
// damaged, unreadable, or not a regular file) the bundle is compiled from its source, as
// `require` would: the cache only ever saves time.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const DIGEST_BYTES = 32;

// The function CommonJS wraps a module's source in; a cache is of the wrapped text.
const WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n});'];

/** build/cli.js -> build/cli.cache */
function cacheFileOf(bundle) {
  return path.join(path.dirname(bundle), `${path.basename(bundle, '.js')}.cache`);
}

function digest(source, data) {
  return crypto.createHash('sha256').update(source).update(data).digest();
}

/**
 * The cache file's bytes; a string saying why there are none: 'absent', or 'unreadable' for
 * anything but a regular file this process can read (a folder, a link, a named pipe, whose
 * read would block, no permission).
 */
function readCache(file) {
  try {
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (st === undefined) return 'absent';
    return st.isFile() ? fs.readFileSync(file) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/**
 * The bundle compiled, with its cache when the cache is the bundle's. `cache` says what became
 * of the cache: 'used', 'absent', 'unreadable', 'mismatched' (another bundle's, or damaged) or
 * 'rejected' (V8's: another Node version or other V8 flags).
 */
function compile(bundle, useCache) {
  const source = fs.readFileSync(bundle);
  let cachedData;
  let cache = 'absent';
  if (useCache) {
    const file = readCache(cacheFileOf(bundle));
    if (typeof file === 'string') cache = file;
    else if (digest(source, file.subarray(DIGEST_BYTES)).equals(file.subarray(0, DIGEST_BYTES))) cachedData = file.subarray(DIGEST_BYTES);
    else cache = 'mismatched';
  }
  const script = new vm.Script(`${WRAPPER[0]}${source.toString('utf8')}${WRAPPER[1]}`, { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  if (cachedData) cache = script.cachedDataRejected ? 'rejected' : 'used';
  return { script, source, cache };
}

/** Runs the compiled bundle as CommonJS runs a module; its exports. */
function evaluate(script, bundle) {
  const m = new Module(bundle, module);
  m.filename = bundle;
  script.runInThisContext().call(m.exports, m.exports, Module.createRequire(bundle), m, bundle, path.dirname(bundle));
  m.loaded = true;
  return m.exports;
}

/** The bundle's exports, and what became of its cache. */
function loadBundle(bundle) {
  const { script, cache } = compile(bundle, true);
  return { exports: evaluate(script, bundle), cache };
}

/**
 * Compiles and runs the bundle without a cache, calls `warmUp` with its exports (the functions
 * it calls are compiled then), and writes the cache V8 gives after it, atomically.
 */
function writeCodeCache(bundle, warmUp) {
  const { script, source } = compile(bundle, false);
  warmUp(evaluate(script, bundle));
  const data = script.createCachedData();
  const file = cacheFileOf(bundle);
  const tmp = `${file}.${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([digest(source, data), data]));
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

module.exports = { loadBundle, writeCodeCache };
