/**
 * Every fast path renders exactly what the plain path renders, byte for byte:
 * - the YAML writer against the line-based writer it replaced (kept below as the reference),
 * - rendering cluster by cluster, on this thread or on workers (lib/parallel.ts), against the
 *   plain pipeline, for good and bad fleets,
 * - the precompiled CLI (dist/lib, scripts/build-dist.js) against lib/ run through tsx,
 * - values modules kept loaded between runs (lib/load.ts) against fresh loads.
 * Timings are the bench's business (npm run bench); nothing here measures time.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { SyntheticService, syntheticFleet, valuesModule } from '../bench/fleet';
import { FleetSelection, renderFleet } from '../lib/pipeline';
import { renderFleetOutput, toOutput } from '../lib/parallel';
import { toYaml, toYamlDocuments } from '../lib/yaml';
import { REPO, makeFleet, removeFleet, snapshotTree } from './support/fleet';

const roots: string[] = [];
after(() => roots.forEach(removeFleet));

/** A fleet of synthetic services (bench/fleet.ts) plus the example apps, and extra files. */
function syntheticRepo(count: number, extra: Record<string, string> = {}, edit?: (s: SyntheticService, i: number) => SyntheticService): string {
  const files: Record<string, string> = { ...extra };
  syntheticFleet(count).forEach((service, i) => {
    const edited = edit ? edit(service, i) : service;
    files[`apps/${edited.name}/values.ts`] = valuesModule(edited);
  });
  const root = makeFleet(files, { withExampleApps: true });
  roots.push(root);
  return root;
}

describe('performance paths: YAML writer', () => {
  it('writes random JSON values exactly as the line-based writer did', () => {
    const key = fc.oneof(fc.constantFrom('name', 'apiVersion', 'y', 'on', 'null', '', '1a', 'a:b', 'a b', '-x', 'app.kubernetes.io/name'), fc.string({ maxLength: 8 }));
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('true', 'No', '~', '0x1F', '1.5', '2026.11.3', '250m', '#x', '*a', 'a: b', "it's", 'ümlaut', '{}', '[]', '-', '- x'),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    }));
    fc.assert(
      fc.property(fc.array(value.filter((v) => v !== undefined), { minLength: 1, maxLength: 3 }), (documents) => {
        // Same text, or the same refusal (an undefined array item, say).
        assert.deepEqual(outcome(() => toYamlDocuments(documents)), outcome(() => referenceDocuments(documents)));
        for (const document of documents) assert.deepEqual(outcome(() => toYaml(document)), outcome(() => referenceYaml(document)));
      }),
      { numRuns: 500 },
    );
  });

  it('writes every rendered manifest of a synthetic fleet exactly as the line-based writer did', () => {
    const result = renderFleet(syntheticRepo(12));
    assert.deepEqual(result.findings.filter((f) => f.severity === 'error'), []);
    for (const file of result.files) assert.equal(file.content, referenceDocuments(file.documents), file.path);
  });
});

/** What the plain pipeline gives, in the shape renderFleetOutput returns. */
const plain = (root: string, selection: FleetSelection = {}) => toOutput(renderFleet(root, selection));

describe('performance paths: cluster by cluster, inline and on workers', () => {
  it('render the same files, objects and findings as the plain pipeline', async () => {
    const root = syntheticRepo(16);
    const expected = plain(root);
    assert.ok(expected.files.length > 0);
    assert.deepEqual(await renderFleetOutput(root, {}, { workers: 1 }), expected);
    assert.deepEqual(await renderFleetOutput(root, {}, { workers: 2 }), expected);
  });

  it('report the same findings for a fleet with problems in every stage', async () => {
    const root = syntheticRepo(
      8,
      {
        'apps/throws/values.ts': `throw new Error('boom');\n`,
        'apps/no-default/values.ts': `export const x = 1;\n`,
        'apps/bad-schema/values.ts': valuesModule({ name: 'bad-schema', team: 'Team!', image: 'x', release: { default: 'latest' }, processes: {} } as unknown as SyntheticService),
      },
      (service, i) => {
        if (i === 1) return { ...service, clusters: { ...service.clusters, 'nowhere-*': { env: { A: 'b' } } } };
        // One replica of a serving process: an error on prod clusters only.
        if (i === 2) return { ...service, processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 1 } } };
        return service;
      },
    );
    const expected = plain(root);
    assert.ok(expected.findings.some((f) => f.clusters !== undefined), 'a cluster-specific finding');
    assert.ok(expected.findings.some((f) => f.clusters === undefined), 'a finding of no cluster');
    for (const workers of [1, 2]) {
      const output = await renderFleetOutput(root, {}, { workers });
      assert.deepEqual(output.findings, expected.findings, `workers: ${workers}`);
      assert.deepEqual(output.files, expected.files, `workers: ${workers}`);
    }
  });

  it('follow the cluster and app selection like the plain pipeline, and report a selection that matches nothing alike', async () => {
    const root = syntheticRepo(6);
    for (const selection of [{ cluster: 'prod-*' }, { app: syntheticFleet(6)[3].name }, { cluster: 'stage-eu' }, { cluster: 'nowhere' }, { app: 'no-such-app' }]) {
      const expected = plain(root, selection);
      assert.deepEqual(await renderFleetOutput(root, selection, { workers: 1 }), expected, JSON.stringify(selection));
      assert.deepEqual(await renderFleetOutput(root, selection, { workers: 2 }), expected, JSON.stringify(selection));
    }
  });
});

describe('performance paths: precompiled CLI', () => {
  it('synth from dist/lib writes byte-identical files and output to synth from lib/ through tsx', () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build-dist.js')], { encoding: 'utf8' });
    const root = syntheticRepo(6);
    const cli = path.join(REPO, 'bin', 'fleetchart.js');
    const run = (mode: '0' | '1', out: string) => execFileSync(process.execPath, [cli, 'synth', '--out', out], { cwd: root, encoding: 'utf8', env: { ...process.env, FLEETCHART_DIST: mode } });
    const fromSource = run('0', 'out-source');
    const fromDist = run('1', 'out-dist');
    assert.equal(fromDist.replaceAll('out-dist', 'out-source'), fromSource);
    const source = snapshotTree(path.join(root, 'out-source'));
    assert.ok(Object.keys(source).length > 0);
    assert.deepEqual(snapshotTree(path.join(root, 'out-dist')), source);
  });
});

describe('performance paths: values modules kept loaded', () => {
  it('a second run in the same process sees an edited values file and renders like a fresh process', () => {
    const root = syntheticRepo(3);
    const [first] = syntheticFleet(3);
    const file = path.join(root, 'apps', first.name, 'values.ts');
    const before = renderFleet(root);
    assert.deepEqual(renderFleet(root), before);
    fs.writeFileSync(file, valuesModule({ ...first, env: { ...first.env, EDITED: 'yes' } }));
    const after = renderFleet(root);
    const edited = after.files.filter((f) => f.app === first.name);
    assert.ok(edited.length > 0 && edited.every((f) => f.content.includes('EDITED')), 'the edit shows');
    assert.deepEqual(
      after.files.filter((f) => f.app !== first.name).map((f) => f.content),
      before.files.filter((f) => f.app !== first.name).map((f) => f.content),
    );
  });
});

function outcome(write: () => string): { text: string } | { error: string } {
  try {
    return { text: write() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

// The line-based YAML writer that lib/yaml.ts replaced, kept as the reference.

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@%+=,-]*(?:[:][A-Za-z0-9_./@%+=,-]+)*$/;
const AMBIGUOUS = /^(y|n|yes|no|on|off|true|false|null|~)$/i;

function referenceScalar(value: string): string {
  return PLAIN.test(value) && !AMBIGUOUS.test(value) ? value : JSON.stringify(value);
}

function referenceYaml(value: unknown): string {
  const lines: string[] = [];
  emitValue(value, '', lines, 'top');
  return lines.join('\n') + '\n';
}

function referenceDocuments(documents: readonly unknown[]): string {
  return documents.map(referenceYaml).join('---\n');
}

function referenceLeaf(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return referenceScalar(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (Array.isArray(value) && value.length === 0) return '[]';
      if (!Array.isArray(value) && Object.keys(value).length === 0) return '{}';
      return undefined;
    default:
      throw new Error(`cannot write a ${typeof value} as YAML`);
  }
}

function emitValue(value: unknown, indent: string, lines: string[], context: 'top' | 'key' | 'item'): void {
  const simple = referenceLeaf(value);
  if (simple !== undefined) {
    if (context === 'top') lines.push(simple);
    else lines[lines.length - 1] += ` ${simple}`;
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      lines.push(`${indent}-`);
      emitValue(item, indent + '  ', lines, 'item');
    }
    return;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let first = true;
  for (const key of keys) {
    const line = `${referenceScalar(key)}:`;
    if (context === 'item' && first) lines[lines.length - 1] += ` ${line}`;
    else lines.push(`${indent}${line}`);
    first = false;
    const child = object[key];
    const childLeaf = referenceLeaf(child);
    if (childLeaf !== undefined) lines[lines.length - 1] += ` ${childLeaf}`;
    else emitValue(child, indent + '  ', lines, 'key');
  }
}
