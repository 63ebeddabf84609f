/**
 * lib/ as a package, used the way a service repository uses it: `npm pack` the library, install
 * the tarball (production dependencies only, as any consumer gets them) into a fresh repository
 * with its own apps/, and run the installed `fleetchart` binary there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { REPO } from './support/fleet';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
let work: string;
let consumer: string;

const run = (command: string, args: string[], cwd: string) => {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { code: result.status, out: result.stdout, err: result.stderr };
};
const fleetchart = (args: string[], cwd = consumer) => run(path.join(consumer, 'node_modules', '.bin', 'fleetchart'), args, cwd);

const VALUES = `import { service } from 'fleetchart';

export default service({
  name: 'notes',
  team: 'care',
  image: 'registry.example.com/care/notes',
  release: { default: '1.0.0@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' },
  processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 2 } },
});
`;

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-package-'));
  // Packed from a copy: `npm pack` rebuilds dist/ (prepack, prepare), which other test files'
  // processes may be loading from the repository at the same moment.
  const source = path.join(work, 'source');
  for (const entry of ['lib', 'bin', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.dist.json', 'README.md', 'CHANGELOG.md']) {
    fs.cpSync(path.join(REPO, entry), path.join(source, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(source, 'node_modules'));
  const packed = run('npm', ['pack', '--silent', '--pack-destination', work], source);
  assert.equal(packed.code, 0, packed.err);
  const tarball = path.join(work, packed.out.trim().split('\n').at(-1)!);
  consumer = path.join(work, 'service-repo');
  fs.mkdirSync(path.join(consumer, 'apps', 'notes'), { recursive: true });
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'service-repo', private: true, version: '1.0.0' }));
  fs.writeFileSync(path.join(consumer, 'apps', 'clusters.ts'), fs.readFileSync(path.join(REPO, 'apps', 'clusters.ts'), 'utf8').replace(`from '../lib'`, `from 'fleetchart'`));
  fs.writeFileSync(path.join(consumer, 'apps', 'notes', 'values.ts'), VALUES);
  // --prefer-offline: the dependencies come from npm's cache, filled by this repository's `npm ci`.
  const installed = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], consumer);
  assert.equal(installed.code, 0, installed.err);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe('package: the packed library in a service repository of its own', () => {
  it('installs with its runtime dependencies only: no tsx, no TypeScript compiler', () => {
    const modules = path.join(consumer, 'node_modules');
    assert.ok(fs.existsSync(path.join(modules, 'fleetchart', 'dist', 'lib', 'cli', 'main.js')));
    assert.ok(fs.existsSync(path.join(modules, 'fleetchart', 'dist', 'types', 'index.d.ts')), 'exports names its types');
    assert.equal(fs.existsSync(path.join(modules, 'tsx')), false);
    assert.equal(fs.existsSync(path.join(modules, 'typescript')), false);
    assert.equal(fs.existsSync(path.join(modules, 'fleetchart', 'lib')), false, 'the package ships the build, not the sources');
  });

  it('validate, synth and diff run through the installed binary, values files importing `fleetchart`', () => {
    const validate = fleetchart(['validate']);
    assert.equal(validate.code, 0, validate.err);
    const synth = fleetchart(['synth']);
    assert.equal(synth.code, 0, synth.err);
    const written = fs.readdirSync(path.join(consumer, 'charts-out'), { recursive: true }).filter((f) => String(f).endsWith('notes.k8s.yaml'));
    assert.ok(written.length > 0);
    const manifest = fs.readFileSync(path.join(consumer, 'charts-out', String(written[0])), 'utf8');
    assert.ok(manifest.includes(`fleetchart.io/library-version: "${pkg.version}"`), 'objects carry the version that rendered them');
    const diff = fleetchart(['diff', '--exit-code']);
    assert.equal(diff.code, 0, diff.out + diff.err);
    fs.writeFileSync(path.join(consumer, 'apps', 'notes', 'values.ts'), VALUES.replace('replicas: 2', 'replicas: 3'));
    const changed = fleetchart(['diff', '--exit-code', '--json']);
    assert.equal(changed.code, 3);
    assert.ok(JSON.parse(changed.out).some((c: { impact: string }) => c.impact === 'other'), changed.out);
  });

  it("shows the fields' descriptions on hover from the package's types (TypeScript's language service on the service repository)", () => {
    const file = path.join(consumer, 'apps', 'notes', 'values.ts');
    const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, strict: true, types: [], skipLibCheck: true };
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [file],
      getScriptVersion: () => '1',
      getScriptSnapshot: (name) => (fs.existsSync(name) ? ts.ScriptSnapshot.fromString(fs.readFileSync(name, 'utf8')) : undefined),
      getCurrentDirectory: () => consumer,
      getCompilationSettings: () => options,
      getDefaultLibFileName: ts.getDefaultLibFilePath,
      fileExists: ts.sys.fileExists,
      readFile: ts.sys.readFile,
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    const service = ts.createLanguageService(host, ts.createDocumentRegistry());
    const text = fs.readFileSync(file, 'utf8');
    const info = service.getQuickInfoAtPosition(file, text.indexOf('team:') + 1);
    assert.match(ts.displayPartsToString(info?.documentation ?? []), /^Owning team/);
    assert.deepEqual(service.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], 'the values file type-checks against the package');
  });

  it('works from a sub-folder of the service repository', () => {
    const validate = fleetchart(['validate'], path.join(consumer, 'apps', 'notes'));
    assert.equal(validate.code, 0, validate.err);
  });

  it('reports a syntax error in a values file with its line, loaded by the runtime loader (esbuild)', () => {
    fs.mkdirSync(path.join(consumer, 'apps', 'broken'));
    fs.writeFileSync(path.join(consumer, 'apps', 'broken', 'values.ts'), `import { service } from 'fleetchart';\nexport default service({ name: 'broken', \n`);
    const validate = fleetchart(['validate']);
    fs.rmSync(path.join(consumer, 'apps', 'broken'), { recursive: true });
    assert.equal(validate.code, 1);
    assert.match(validate.err, /^apps\/broken\/values\.ts: expected TypeScript that compiles, got a syntax error at line 3, column 0/m);
  });
});

describe('package: this repository with production dependencies only', () => {
  it('`npm ci --omit=dev` in a clean clone installs no tsx or TypeScript, and the CLI validates the fleet', () => {
    const clone = path.join(work, 'clone');
    const cloned = run('git', ['clone', '--quiet', REPO, clone], work);
    assert.equal(cloned.code, 0, cloned.err);
    const installed = run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], clone);
    assert.equal(installed.code, 0, installed.err);
    assert.equal(fs.existsSync(path.join(clone, 'node_modules', 'tsx')), false);
    const validate = run(process.execPath, [path.join(clone, 'bin', 'fleetchart.js'), 'validate'], clone);
    assert.equal(validate.code, 0, validate.err);
    assert.match(validate.out, /^ok: /);
  });
});
