/**
 * lib/cli/main.ts loads a command's module only when that command runs, and lists commands in
 * --help from its own catalog. Here: every catalog entry loads a runnable command, help and rules load neither cdk8s nor the pipeline, and a command run from dist/lib loads its
 * modules with Node's own loader even though tsx is registered by then.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { commands } from '../lib/cli/main';
import { REPO } from './support/fleet';

describe('cli: commands load when they run', () => {
  it('every command of the catalog in main.ts loads a module that runs it', () => {
    assert.deepEqual(commands.map((c) => c.name), ['synth', 'validate', 'diff', 'routes', 'rules', 'clusters', 'apply']);
    for (const entry of commands) assert.equal(typeof entry.load().run, 'function', entry.name);
  });

  // A fresh process per case, through lib/ and tsx, so the modules loaded are the CLI's alone.
  const loadedBy = (args: string[]) => {
    const script = `
      const { main } = require(${JSON.stringify(path.join(REPO, 'lib', 'cli', 'main.ts'))});
      main(${JSON.stringify(args)}, { root: ${JSON.stringify(REPO)}, out: () => {}, err: () => {} }).then((code) => {
        const loaded = Object.keys(require.cache).map((f) => require('node:path').relative(${JSON.stringify(REPO)}, f));
        process.stdout.write(JSON.stringify({ code, loaded }));
      });`;
    return JSON.parse(execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: REPO, encoding: 'utf8' })) as { code: number; loaded: string[] };
  };
  const heavy = (loaded: string[]) => loaded.filter((f) => /node_modules\/(cdk8s|cdk8s-plus-27|zod|yaml)\/|lib\/(pipeline|constructs|validate\/(?!catalog))/.test(f));

  for (const args of [['help'], ['synth', '--help'], ['rules'], ['rules', '--json'], ['nope']]) {
    it(`fleetchart ${args.join(' ')} loads neither cdk8s, zod, yaml nor the pipeline`, () => {
      const { code, loaded } = loadedBy(args);
      assert.equal(code, args[0] === 'nope' ? 2 : 0);
      assert.deepEqual(heavy(loaded), []);
    });
  }

  it('fleetchart validate loads the pipeline (the check above sees it)', () => {
    const { code, loaded } = loadedBy(['validate']);
    assert.equal(code, 0);
    assert.ok(heavy(loaded).some((f) => f.includes('node_modules/cdk8s/')));
    assert.ok(loaded.includes(path.join('lib', 'pipeline.ts')));
  });
});

describe('cli: commands run from dist/lib', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-dist-'));
  after(() => fs.rmSync(copy, { recursive: true, force: true }));

  it('load their modules as bin/runtime.js loads dist/lib: not through tsx, without source maps', () => {
    // A private build (bin/, lib/, scripts/), so no other test's build of dist/ is raced.
    for (const dir of ['bin', 'lib', 'scripts']) fs.cpSync(path.join(REPO, dir), path.join(copy, dir), { recursive: true });
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
    execFileSync(process.execPath, [path.join(copy, 'scripts', 'build-dist.js')], { encoding: 'utf8' });
    const script = `
      const path = require('node:path');
      const { findSourceMap } = require('node:module');
      const cli = require(path.join(${JSON.stringify(copy)}, 'bin', 'runtime.js')).loadLib('cli/main', 'dist');
      cli.main(['validate'], { root: ${JSON.stringify(REPO)}, out: () => {}, err: () => {} }).then((code) => {
        process.stdout.write(JSON.stringify({
          code,
          // Node keeps a source map only for modules compiled while source maps were on (tsx's doing).
          pipeline: Boolean(findSourceMap(path.join(${JSON.stringify(copy)}, 'dist', 'lib', 'pipeline.js'))),
          cdk8s: Boolean(findSourceMap(require.resolve('cdk8s/lib/api-object.js'))),
          loaded: Boolean(require.cache[path.join(${JSON.stringify(copy)}, 'dist', 'lib', 'pipeline.js')]),
          // tsx's setting is back for the values files.
          sourceMaps: process.sourceMapsEnabled,
        }));
      });`;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: copy, encoding: 'utf8' }));
    assert.deepEqual(result, { code: 0, pipeline: false, cdk8s: false, loaded: true, sourceMaps: true });
  });
});
