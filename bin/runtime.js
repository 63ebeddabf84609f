'use strict';
/**
 * How fleetchart's code is loaded, shared by bin/fleetchart.js and the render workers
 * (lib/parallel.ts): from dist/lib (lib/ precompiled by scripts/build-dist.js at `npm ci`) while
 * that build matches lib/ exactly, otherwise straight from lib/ through tsx. Values files are
 * TypeScript either way, so tsx is registered for them. FLEETCHART_DIST=0 forces lib/ + tsx;
 * FLEETCHART_DIST=1 uses dist/lib without checking it against lib/.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE = path.join(ROOT, 'lib');
const TARGET = path.join(ROOT, 'dist', 'lib');

function distIsFresh() {
  if (process.env.FLEETCHART_DIST === '0') return false;
  // 1: use the build as it is, without comparing it with lib/ (the bench pins what it measures).
  if (process.env.FLEETCHART_DIST === '1') return fs.existsSync(path.join(TARGET, 'cli', 'main.js'));
  try {
    return require('../scripts/build-dist.js').isFresh();
  } catch {
    return false;
  }
}

let registered = false;

/**
 * Loads `lib/<module>` (e.g. 'cli/main') the way `mode` says: 'dist', 'source', or 'auto' (dist
 * when fresh). Compiled modules load before tsx hooks the loader, as plain .js needs no transform.
 */
function loadLib(module, mode = 'auto') {
  const useDist = mode === 'dist' || (mode === 'auto' && distIsFresh());
  if (useDist) {
    const loaded = require(path.join(TARGET, `${module}.js`));
    register(true);
    return loaded;
  }
  register(false);
  return require(path.join(SOURCE, `${module}.ts`));
}

function register(redirect) {
  if (registered) return;
  registered = true;
  require('tsx/cjs');
  if (redirect) redirectLibToDist();
}

/**
 * Values files import `../../lib`: resolve lib/<x>.ts to dist/lib/<x>.js, so they share the
 * CLI's module instances instead of loading a second copy of lib/ through tsx.
 */
function redirectLibToDist() {
  const Module = require('node:module');
  const resolve = Module._resolveFilename;
  const mapped = new Map();
  Module._resolveFilename = function (request, ...rest) {
    const resolved = resolve.call(this, request, ...rest);
    if (!resolved.startsWith(SOURCE + path.sep) || !resolved.endsWith('.ts')) return resolved;
    let js = mapped.get(resolved);
    if (js === undefined) {
      const candidate = TARGET + resolved.slice(SOURCE.length, -3) + '.js';
      js = fs.existsSync(candidate) ? candidate : resolved;
      mapped.set(resolved, js);
    }
    return js;
  };
}

module.exports = { loadLib, ROOT };
