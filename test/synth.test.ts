import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { helpText } from '../lib/cli/main';
import { renderFleet } from '../lib/pipeline';
import { outputFiles } from '../lib/write';
import { REPO, makeFleet, removeFleet, runCli, snapshotTree, valuesFile } from './support/fleet';

const roots: string[] = [];
after(() => roots.forEach(removeFleet));
function fleet(files: Record<string, string> = {}, withExampleApps = true): string {
  const root = makeFleet(files, { withExampleApps });
  roots.push(root);
  return root;
}
const out = (root: string) => snapshotTree(path.join(root, 'charts-out'));

describe('synth: committed output', () => {
  it('charts-out/ in the repository is exactly what a fresh synth renders (no stale or missing file)', () => {
    const result = renderFleet(REPO);
    assert.deepEqual(result.findings, []);
    const rendered = Object.fromEntries(outputFiles(result).map((f) => [f.path, f.content]));
    assert.deepEqual(out(REPO), rendered, "charts-out/ is stale: run 'npm run synth' and commit the result");
  });

  it('renders every example service for every cluster of the inventory', () => {
    const result = renderFleet(REPO);
    assert.deepEqual(result.clusters, result.inventory);
    assert.deepEqual(result.apps, fs.readdirSync(path.join(REPO, 'apps')).filter((f) => fs.existsSync(path.join(REPO, 'apps', f, 'values.ts'))).sort());
    assert.deepEqual(result.files.map((f) => f.path).sort(), result.clusters.flatMap((c) => result.apps.map((a) => `${c.name}/${a}.k8s.yaml`)).sort());
  });
});

describe('synth: determinism', () => {
  it('gives byte-identical files on every run and in every folder', async () => {
    const a = fleet();
    const b = fleet();
    assert.equal((await runCli(a, ['synth'])).code, 0);
    assert.equal((await runCli(b, ['synth'])).code, 0);
    assert.deepEqual(out(a), out(b));
    const second = await runCli(a, ['synth']);
    assert.match(second.out.at(-1)!, new RegExp(`\\(0 written, ${Object.keys(out(a)).length} unchanged, 0 removed\\)$`));
  });
});

describe('synth: writing', () => {
  it('removes the files of a service that left apps/, and nothing else', async () => {
    const root = fleet();
    await runCli(root, ['synth']);
    const before = out(root);
    fs.rmSync(path.join(root, 'apps', 'medication-dispensing'), { recursive: true });
    const result = await runCli(root, ['synth']);
    assert.equal(result.code, 0);
    const after = out(root);
    // Its manifests and its Argo CD Applications.
    const expected = Object.fromEntries(Object.entries(before).filter(([file]) => !/\/medication-dispensing\.(k8s\.)?yaml$/.test(file)));
    assert.deepEqual(after, expected);
    assert.ok(result.out.includes('removed charts-out/prod-eu-west/medication-dispensing.k8s.yaml'));
  });

  it('removes the folder of a cluster that left the inventory', async () => {
    const root = fleet();
    await runCli(root, ['synth']);
    const inventory = fs.readFileSync(path.join(root, 'apps', 'clusters.ts'), 'utf8');
    fs.writeFileSync(path.join(root, 'apps', 'clusters.ts'), inventory.replace(/\n  \{\n    name: 'prod-eu-north',[\s\S]*?\n  \},/, ''));
    assert.equal((await runCli(root, ['synth'])).code, 0);
    assert.deepEqual(fs.readdirSync(path.join(root, 'charts-out')).sort(), ['prod-azure-weu', 'prod-eu-west', 'stage-eu']);
  });

  it('--cluster and --app render only what they select and leave every other file alone', async () => {
    const root = fleet();
    await runCli(root, ['synth']);
    const before = out(root);
    fs.rmSync(path.join(root, 'charts-out'), { recursive: true });
    const result = await runCli(root, ['synth', '--cluster', 'prod-*', '--app', 'patient-notes']);
    assert.equal(result.code, 0);
    const argocd = renderFleet(root).clusters.filter((c) => c.argocd && c.name.startsWith('prod-')).map((c) => `${c.name}/argocd/patient-notes.yaml`);
    const manifests = ['prod-azure-weu/patient-notes.k8s.yaml', 'prod-eu-north/patient-notes.k8s.yaml', 'prod-eu-west/patient-notes.k8s.yaml'];
    assert.deepEqual(Object.keys(out(root)).sort(), [...manifests, ...argocd].sort());
    for (const [file, content] of Object.entries(out(root))) assert.equal(content, before[file]);
  });

  it('names a mistyped service or cluster selection and suggests the right one', async () => {
    const root = fleet();
    assert.deepEqual((await runCli(root, ['synth', '--app', 'patient-note'])).err[0], `apps/: expected a service folder named 'patient-note', found none; did you mean 'patient-notes'?`);
    assert.deepEqual(
      (await runCli(root, ['validate', '--cluster', 'dev-*'])).err[0],
      `apps/clusters.ts: expected a cluster name or glob matching the inventory, got 'dev-*'; clusters: ${renderFleet(REPO).inventory.map((c) => c.name).join(', ')}`,
    );
  });

  it('reports the problems of every file at once', async () => {
    const root = fleet({
      'apps/one/values.ts': valuesFile(`{ name: 'one', team: 't', image: 'r.io/a/one', release: { default: 'latest' }, processes: { web: {} } }`),
      'apps/two/values.ts': `throw new Error('syntax is fine, logic is not');\n`,
    });
    const result = await runCli(root, ['validate']);
    assert.equal(result.code, 1);
    assert.deepEqual(result.err, [
      `apps/one/values.ts: release.default: expected a pinned version such as '2026.11.3' (the tag you tested), got 'latest'`,
      `apps/two/values.ts: expected a module that loads, but it threw: syntax is fine, logic is not; fix that line (run 'node --require tsx/cjs apps/two/values.ts' to see the stack)`,
      '2 problems found; see the lines above.',
    ]);
  });

  it('validates the cluster inventory with its own schema', async () => {
    const root = fleet({}, false);
    const inventory = fs.readFileSync(path.join(root, 'apps', 'clusters.ts'), 'utf8');
    fs.writeFileSync(path.join(root, 'apps', 'clusters.ts'), inventory.replace("environment: 'stage'", "environment: 'staging'").replace("project: 'acme-care-prod'", "project: 'Acme'"));
    const result = await runCli(root, ['validate']);
    assert.deepEqual(result.err, [
      `apps/clusters.ts: [0].environment: expected 'stage' or 'prod', got 'staging'`,
      `apps/clusters.ts: [1].provider.project: expected a GCP project id like 'acme-care-prod', got 'Acme'`,
      '2 problems found; see the lines above.',
    ]);
  });
});

describe('cli', () => {
  it('documents every command and flag in --help', async () => {
    const help = helpText();
    for (const word of ['synth', 'validate', '--cluster <name|glob>', '--app <name>', '--out <dir>', 'Exit codes']) assert.ok(help.includes(word), word);
    assert.equal((await runCli(REPO, ['--help'])).code, 0);
  });

  it('rejects an unknown flag or command with usage exit code 2', async () => {
    const flag = await runCli(REPO, ['synth', '--clusters', 'x']);
    assert.equal(flag.code, 2);
    assert.match(flag.err[0], /^fleetchart synth: Unknown option '--clusters'.*; see 'fleetchart synth --help'$/);
    assert.equal((await runCli(REPO, ['synthesise'])).code, 2);
  });

  it('runs as `npx fleetchart` through the package bin entry', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    assert.equal(pkg.bin.fleetchart, 'bin/fleetchart.js');
    const stdout = execFileSync(process.execPath, [path.join(REPO, pkg.bin.fleetchart), 'validate', '--app', 'resident-preferences'], { cwd: REPO, encoding: 'utf8' });
    const clusters = renderFleet(REPO).inventory.length;
    assert.match(stdout, new RegExp(`^ok: 1 services × ${clusters} clusters, ${clusters} manifests checked$`, 'm'));
  });

  it('renders the same manifests through `cdk8s synth` as through `fleetchart synth`', () => {
    const root = fleet();
    fs.copyFileSync(path.join(REPO, 'cdk8s.yaml'), path.join(root, 'cdk8s.yaml'));
    fs.mkdirSync(path.join(root, 'bin'));
    fs.copyFileSync(path.join(REPO, 'bin', 'fleetchart.js'), path.join(root, 'bin', 'fleetchart.js'));
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
    execFileSync(path.join(REPO, 'node_modules', '.bin', 'cdk8s'), ['synth'], { cwd: root, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, stdio: 'pipe' });
    assert.deepEqual(out(root), out(REPO));
  });
});

describe('fleetchart diff', () => {
  it('shows each changed object as a unified YAML diff with its impact, without writing, and --exit-code flags staleness', async () => {
    const root = fleet();
    await runCli(root, ['synth']);
    assert.deepEqual((await runCli(root, ['diff', '--exit-code'])).out, ['no changes']);
    const file = path.join(root, 'apps', 'resident-preferences', 'values.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("memory: '128Mi'", "memory: '192Mi'"));
    const before = out(root);
    const result = await runCli(root, ['diff', '--exit-code', '--cluster', 'stage-eu']);
    assert.equal(result.code, 3);
    assert.match(result.out[0], /^changed  stage-eu\/resident-preferences\.k8s\.yaml  Deployment resident-preferences\/resident-preferences-web-1-14-2  \[Restarts pods: \d+ pods\]$/);
    assert.ok(result.out.some((l) => /^  - +memory: "?128Mi"?$/.test(l)), result.out.join('\n'));
    assert.ok(result.out.some((l) => /^  \+ +memory: "?192Mi"?$/.test(l)));
    assert.match(result.out.at(-1)!, /^\d+ object changes in 1 files: 1 restarts pods/);
    assert.deepEqual(out(root), before, 'diff writes nothing');

    const json = JSON.parse((await runCli(root, ['diff', '--json', '--cluster', 'stage-eu'])).out.join('\n'));
    const deployment = json.find((c: { object: string }) => c.object === 'Deployment resident-preferences/resident-preferences-web-1-14-2');
    assert.equal(deployment.impact, 'restarts');
    assert.ok(deployment.fields.includes('spec.template.spec.containers[0].resources.requests.memory'));
    assert.match(deployment.diff, /^\+ +memory: "?192Mi"?$/m);
    assert.deepEqual(deployment.values.find((v: { path: string }) => v.path === 'spec.template.spec.containers[0].resources.requests.memory'), {
      path: 'spec.template.spec.containers[0].resources.requests.memory',
      before: '128Mi',
      after: '192Mi',
    });
  });
});
