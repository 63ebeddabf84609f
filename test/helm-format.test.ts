import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeFleet, removeFleet, REPO } from './support/fleet';
import { PLATFORM_FILE } from '../lib/pipeline';

/**
 * `fleetchart synth --format helm`, checked by the real helm binary (built from the Go module
 * proxy by scripts/install-tools.sh): every chart lints cleanly, and `helm template` renders
 * exactly the service's charts-out file, byte for byte, `{{` included.
 */
const root = makeFleet({}, { withExampleApps: true });
const TEMPLATE_LIKE = `{{ .Release.Name }} and {{- fail "x" }} and }}`;
let helm: string;

function run(args: string[]) {
  const result = spawnSync(process.execPath, [path.join(REPO, 'bin', 'fleetchart.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(() => {
  execFileSync('bash', [path.join(REPO, 'scripts', 'install-tools.sh'), 'helm'], { stdio: ['ignore', 'ignore', 'inherit'] });
  helm = path.join(REPO, '.tools', 'bin', 'helm');
  // A value that Go templates would run, were it not escaped.
  const file = path.join(root, 'apps', 'resident-preferences', 'values.ts');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(`LOG_LEVEL: 'debug'`));
  fs.writeFileSync(file, text.replace(`LOG_LEVEL: 'debug'`, `LOG_LEVEL: 'debug', GREETING: ${JSON.stringify(TEMPLATE_LIKE)}`));
  for (const args of [['synth'], ['synth', '--format', 'helm']]) {
    const result = run(args);
    assert.equal(result.code, 0, result.stderr);
  }
});
after(() => removeFleet(root));

/** Every chart: `<cluster>/<service>` under helm-charts/, with its charts-out file. */
function charts(): { cluster: string; app: string; dir: string; manifest: string }[] {
  const out: { cluster: string; app: string; dir: string; manifest: string }[] = [];
  const base = path.join(root, 'helm-charts');
  for (const cluster of fs.readdirSync(base).sort()) {
    for (const app of fs.readdirSync(path.join(base, cluster)).sort()) {
      out.push({ cluster, app, dir: path.join(base, cluster, app), manifest: path.join(root, 'charts-out', cluster, `${app}.k8s.yaml`) });
    }
  }
  return out;
}

/** `helm template` output as documents, in the chart's template order (the file names' numbers). */
function helmDocuments(output: string): string[] {
  const documents: { source: string; text: string }[] = [];
  for (const part of output.split(/^---\n/m).filter((p) => p !== '')) {
    const match = /^# Source: (\S+)\n([\s\S]*)$/.exec(part);
    assert.ok(match, `unexpected helm output: ${part.slice(0, 200)}`);
    documents.push({ source: match[1], text: match[2] });
  }
  return documents.sort((a, b) => (a.source < b.source ? -1 : 1)).map((d) => d.text);
}

describe('synth --format helm', () => {
  it('writes one chart per service and cluster, for every file of charts-out/', () => {
    const manifests = fs.readdirSync(path.join(root, 'charts-out')).flatMap((c) => fs.readdirSync(path.join(root, 'charts-out', c)).filter((f) => f.endsWith('.k8s.yaml') && f !== PLATFORM_FILE).map((f) => `${c}/${f.replace(/\.k8s\.yaml$/, '')}`));
    assert.deepEqual(charts().map((c) => `${c.cluster}/${c.app}`), manifests.sort());
  });

  it('every chart passes helm lint with no warning or error', () => {
    for (const chart of charts()) {
      const result = spawnSync(helm, ['lint', '--strict', chart.dir], { encoding: 'utf8' });
      assert.equal(result.status, 0, `${chart.dir}: ${result.stdout}${result.stderr}`);
      assert.doesNotMatch(result.stdout, /\[(WARNING|ERROR)\]/, result.stdout);
    }
  });

  it('helm template renders exactly charts-out/<cluster>/<service>.k8s.yaml, byte for byte, {{ included', () => {
    let sawTemplateLike = false;
    for (const chart of charts()) {
      const result = spawnSync(helm, ['template', chart.app, chart.dir, '--namespace', chart.app], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const expected = fs.readFileSync(chart.manifest, 'utf8');
      assert.equal(helmDocuments(result.stdout).join('---\n'), expected, chart.dir);
      if (expected.includes('{{ .Release.Name }}') && expected.includes('{{- fail')) sawTemplateLike = true;
    }
    assert.ok(sawTemplateLike, 'no manifest carried the template-like value');
  });

  it('a later synth removes templates of objects that are gone', () => {
    const file = path.join(root, 'apps', 'resident-preferences', 'values.ts');
    const before = charts().find((c) => c.app === 'resident-preferences')!;
    const count = fs.readdirSync(path.join(before.dir, 'templates')).length;
    fs.rmSync(path.join(root, 'apps', 'medication-dispensing'), { recursive: true });
    const result = run(['synth', '--format', 'helm']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!charts().some((c) => c.app === 'medication-dispensing'), 'the removed service still has charts');
    assert.equal(fs.readdirSync(path.join(before.dir, 'templates')).length, count);
    assert.ok(fs.existsSync(file));
  });
});
