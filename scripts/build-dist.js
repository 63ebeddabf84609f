#!/usr/bin/env node
'use strict';
/**
 * Precompiles lib/ into dist/lib/ (one .js per .ts, same tree, other files copied) so the CLI
 * runs plain JavaScript instead of type-stripping every module through tsx at each start.
 * Runs at `npm ci`/`npm install` (the `prepare` script) and by `npm run build`. With
 * `--declarations` (the `prepack` script: `npm pack`, `npm publish`) it also writes the .d.ts files
 * of the public API into dist/types/ (tsconfig.dist.json; not dist/lib/, which `prepare` rebuilds after `prepack`), which the package's `exports` name as its types.
 *
 * dist/lib/.build.json records every source file's size and mtime; bin/fleetchart.js uses dist
 * only while that record matches lib/ exactly, and falls back to tsx on lib/ otherwise, so an
 * edited lib/ is never run stale.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE = path.join(ROOT, 'lib');
const TARGET = path.join(ROOT, 'dist', 'lib');
const STAMP = '.build.json';
/**
 * Modules built with their npm dependencies bundled in: @grafana/grafana-foundation-sdk ships
 * ~230 small CommonJS files, and loading them one by one tripled the dashboard module's share of
 * a synth's start-up. Their own relative imports stay separate modules.
 */
const BUNDLED = new Set(['observability/dashboard.ts']);

/** Every file under lib/, relative, sorted; with size and mtime. */
function sourceFiles(dir = SOURCE) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(SOURCE, path.join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

function fingerprint(files) {
  return files.map((file) => {
    const stat = fs.statSync(path.join(SOURCE, file));
    return [file, stat.size, Math.trunc(stat.mtimeMs)];
  });
}

function build() {
  const esbuild = require('esbuild');
  const files = sourceFiles();
  const stamp = fingerprint(files);
  const staging = `${TARGET}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  for (const file of files) {
    const from = path.join(SOURCE, file);
    const isTs = file.endsWith('.ts') && !file.endsWith('.d.ts');
    const to = path.join(staging, isTs ? file.replace(/\.ts$/, '.js') : file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (!isTs) {
      fs.copyFileSync(from, to);
      continue;
    }
    if (BUNDLED.has(file)) {
      const source = fs.readFileSync(from, 'utf8');
      esbuild.buildSync({
        entryPoints: [from],
        outfile: to,
        bundle: true,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        sourcemap: 'linked',
        external: [...source.matchAll(/from '(\.[^']+)'/g)].map((m) => m[1]),
        logLevel: 'silent',
      });
      continue;
    }
    const result = esbuild.transformSync(fs.readFileSync(from, 'utf8'), {
      loader: 'ts',
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcefile: from,
      sourcemap: 'external',
      tsconfigRaw: { compilerOptions: { esModuleInterop: true } },
    });
    fs.writeFileSync(to, `${result.code}//# sourceMappingURL=${path.basename(to)}.map\n`);
    fs.writeFileSync(`${to}.map`, result.map);
  }
  fs.writeFileSync(path.join(staging, STAMP), JSON.stringify(stamp));
  // Swap the new tree in: a reader sees the old tree or the new one, never half of one.
  const old = `${TARGET}.${process.pid}.old`;
  if (fs.existsSync(TARGET)) fs.renameSync(TARGET, old);
  fs.renameSync(staging, TARGET);
  fs.rmSync(old, { recursive: true, force: true });
  return files.length;
}

/** True when dist/lib/ was built from exactly the lib/ on disk. */
function isFresh() {
  let recorded;
  try {
    recorded = fs.readFileSync(path.join(TARGET, STAMP), 'utf8');
  } catch {
    return false;
  }
  try {
    return JSON.stringify(fingerprint(sourceFiles())) === recorded;
  } catch {
    return false;
  }
}

/** dist/types/: the .d.ts files of lib/index.ts and what it imports, with their JSDoc (editor hover). */
function buildDeclarations() {
  const { execFileSync } = require('node:child_process');
  fs.rmSync(path.join(ROOT, 'dist', 'types'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.dist.json')], { cwd: ROOT, stdio: 'inherit' });
}

module.exports = { build, isFresh, SOURCE, TARGET };

if (require.main === module) {
  const start = process.hrtime.bigint();
  try {
    const count = build();
    console.log(`dist/lib: ${count} files from lib/ in ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms`);
  } catch (error) {
    if (process.argv.includes('--declarations')) throw error;
    // A failed build must not fail `npm ci`: the CLI falls back to running lib/ through tsx.
    console.error(`build-dist: ${error.message}; the CLI will compile lib/ as it loads`);
  }
  // A package without its types is broken: a failure here fails `npm pack`.
  if (process.argv.includes('--declarations')) buildDeclarations();
}
