import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO, makeFleet, removeFleet, spawnCli, valuesFile } from './support/fleet';

/**
 * Every problem in one run: the values schema (parse), the values rules (resolve) and the
 * rendered-object rules (validate) all report in the same run, for every service, one line per
 * problem listing the clusters it applies to.
 */
const roots: string[] = [];
after(() => roots.forEach(removeFleet));
const makeFleetFor = (list: string[], files: Record<string, string>) => {
  const root = makeFleet(files);
  list.push(root);
  return root;
};

const F = 'apps/intake/values.ts';
const INTAKE = valuesFile(`{
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '1.0.0@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' },
  processes: { web: { ports: [{ name: 'http', port: 8080 }], replica: 3, replicas: 1 } },
  env: { DB_PASSWORD: 'hunter2' },
}`);

describe('checks: every problem in one run', () => {
  it('reports parse, resolve and validate findings of one file together, each once', () => {
    const root = makeFleet({ [F]: INTAKE });
    roots.push(root);
    const result = spawnCli(root, ['validate']);
    assert.equal(result.code, 1);
    assert.deepEqual(result.err, [
      `${F}: env.DB_PASSWORD: expected a Secret reference for secret-looking variable 'DB_PASSWORD', got a literal value; move it to secrets: { DB_PASSWORD: { secret: '<secret name>', key: '<key>' } }, or add waivers: { 'FC-SEC-001': '<why it is not secret>' } [FC-SEC-001] (clusters prod-azure-weu, prod-eu-north, prod-eu-west, stage-eu)`,
      `${F}: processes.web.replica: unknown key 'replica': did you mean 'replicas'?`,
      `${F}: processes.web.replicas: expected at least 2 replicas for a serving process in a prod cluster, got 1; raise replicas, or add waivers: { 'FC-AVAIL-001': '<reason>' } [FC-AVAIL-001] (clusters prod-azure-weu, prod-eu-north, prod-eu-west)`,
      '3 problems found; see the lines above.',
    ]);
  });

  it('reports a service that does not load and still checks every other service', () => {
    const root = makeFleet({ [F]: INTAKE, 'apps/broken/values.ts': `import { service } from '../../lib';\nexport default service({ name: 'broken' ;\n` });
    roots.push(root);
    const result = spawnCli(root, ['synth']);
    assert.equal(result.code, 1);
    assert.match(result.err[0], /^apps\/broken\/values\.ts: expected TypeScript that compiles, got a syntax error at line 2/);
    assert.deepEqual(
      result.err.slice(1, -1).map((line) => line.split(': ').slice(0, 2).join(': ')),
      [`${F}: env.DB_PASSWORD`, `${F}: processes.web.replica`, `${F}: processes.web.replicas`],
    );
    assert.equal(result.err.at(-1), '4 problems found; nothing was written.');
  });

  it('reports what the TypeScript compiler rejects and running the file hides, beside the schema findings, each once', () => {
    // esbuild strips types, so a type error outside the values runs anyway; inside them the schema says it.
    const typed = INTAKE.replace('export default service(', "const zones: number = 'three';\nvoid zones;\n\nexport default service(");
    const result = spawnCli(makeFleetFor(roots, { [F]: typed }), ['validate']);
    assert.equal(result.code, 1);
    const line = typed.split('\n').findIndex((l) => l.includes('const zones')) + 1;
    assert.ok(
      result.err.includes(`${F}: expected code the TypeScript compiler accepts, got TS2322 at line ${line}, column 7: Type 'string' is not assignable to type 'number'; fix it there (your editor underlines it)`),
      result.err.join('\n'),
    );
    // `replica: 3` is also TypeScript's excess-property error (TS2353): reported once, by the schema.
    assert.deepEqual(result.err.filter((l) => l.includes('replica')).map((l) => l.split(': ')[1]), ['processes.web.replica', 'processes.web.replicas']);
    assert.equal(result.err.at(-1), '4 problems found; see the lines above.');
    // A file TypeScript accepts reports nothing of it.
    assert.equal(spawnCli(makeFleetFor(roots, { [F]: INTAKE }), ['validate']).err.filter((l) => l.includes('TypeScript')).length, 0);
  });

  it('--json gives a pipeline the same findings as data, each with the line the default output prints', () => {
    const root = makeFleetFor(roots, { [F]: INTAKE });
    const lines = spawnCli(root, ['validate']).err.slice(0, -1);
    const result = spawnCli(root, ['validate', '--json']);
    assert.equal(result.code, 1);
    assert.deepEqual(result.err, []);
    const report = JSON.parse(result.out.join('\n')) as { ok: boolean; findings: { file: string; path: string; rule: string | null; clusters: string[]; line: string }[] };
    assert.equal(report.ok, false);
    assert.deepEqual(report.findings.map((f) => f.line), lines);
    const availability = report.findings.find((f) => f.rule === 'FC-AVAIL-001')!;
    assert.equal(availability.file, F);
    assert.equal(availability.path, 'processes.web.replicas');
    assert.ok(availability.clusters.length > 1);
    const clean = spawnCli(makeFleetFor(roots, {}), ['validate', '--json']);
    assert.equal(clean.code, 0);
    assert.equal(JSON.parse(clean.out.join('\n')).ok, true);
  });

  it("prints the README's sample error output, line for line", () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const quickStart = readme.slice(readme.indexOf('## Quick start'));
    const values = /```ts\n([\s\S]*?)```/.exec(quickStart)![1];
    const edit = /With `([^`]+)` above changed to `([^`]+)`,\n`npx fleetchart (validate [^`]+)` prints:\n\n```text\n([\s\S]*?)```/.exec(quickStart);
    assert.ok(edit, 'the README states the mistake, the command and its output');
    const [, before, mistaken, command, output] = edit;
    assert.ok(values.includes(before));
    const root = makeFleet({ 'apps/resident-preferences/values.ts': values.replace(before, mistaken) }, { withExampleApps: true });
    roots.push(root);
    const result = spawnCli(root, command.split(' '));
    assert.equal(result.code, 1);
    assert.deepEqual(result.err, output.trimEnd().split('\n'));
  });
});
