'use strict';
/**
 * How fleetchart's code is loaded, shared by bin/fleetchart.js and the render workers
 * (lib/parallel.ts): from dist/lib (lib/ precompiled by scripts/build-dist.js at `npm ci`, or
 * shipped in the package) while that build matches lib/ exactly, otherwise straight from lib/.
 * FLEETCHART_DIST=0 forces lib/; FLEETCHART_DIST=1 uses dist/lib without checking it against lib/.
 *
 * TypeScript (values files, lib/ from source) is compiled by esbuild's transformSync in a
 * require hook for `.ts`, a runtime dependency. Why esbuild: Node 20 cannot strip types itself
 * (`--experimental-strip-types` arrived in Node 22.6; this Node 20 rejects the flag); tsx is
 * esbuild plus ESM/tsconfig-paths machinery values files never need, and its hooks also lex
 * every plain .js file; esbuild is already what builds dist/lib, so values files and lib/ are
 * compiled the same way. A process that registered tsx itself (`node --require tsx/cjs`, the
 * tests) keeps tsx's hook.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE = path.join(ROOT, 'lib');
const TARGET = path.join(ROOT, 'dist', 'lib');

function distIsFresh() {
  if (process.env.FLEETCHART_DIST === '0') return false;
  const built = fs.existsSync(path.join(TARGET, 'cli', 'main.js'));
  // 1: use the build as it is, without comparing it with lib/ (the bench pins what it measures).
  if (process.env.FLEETCHART_DIST === '1') return built;
  // An installed package ships dist/lib without lib/'s sources: its build is what was packed.
  if (!fs.existsSync(SOURCE)) return built;
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
  registerTypeScript();
  if (redirect) redirectLibToDist();
}

/** `require` of a .ts file compiles it with esbuild, as scripts/build-dist.js compiles lib/. */
function registerTypeScript() {
  if (require.extensions['.ts']) return;
  const esbuild = require('esbuild');
  require.extensions['.ts'] = function compileTypeScript(module, filename) {
    // A syntax error throws esbuild's "Transform failed … <file>:<line>:<column>: ERROR: …",
    // which lib/load.ts turns into a finding with line and column.
    const { code } = esbuild.transformSync(fs.readFileSync(filename, 'utf8'), { ...TRANSFORM_OPTIONS, sourcefile: filename });
    module._compile(code, filename);
  };
}

/** esbuild options for lib/ and values files: CommonJS for Node 20, as tsconfig.json's esModuleInterop. */
const TRANSFORM_OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  tsconfigRaw: { compilerOptions: { esModuleInterop: true } },
};

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

module.exports = { loadLib, ROOT, TRANSFORM_OPTIONS };
