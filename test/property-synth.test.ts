import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { schemaErrors } from '../lib/validate/kinds';
import { PLATFORM_FILE, renderFleet } from '../lib/pipeline';
import { REPO, makeFleet, removeFleet, runCli, snapshotTree, valuesFile } from './support/fleet';

/**
 * Property: for any values object a feature team could write, `fleetchart synth` either succeeds
 * and writes manifests that pass validation again when read back, or fails with one finding per
 * line and writes nothing. It never crashes and never prints a stack trace.
 */

const FINDING = /^apps\/[^:]+: .+$/;
const SUMMARY = /^\d+ problems? found; nothing was written\.$/;

/** Mostly plausible values, with mistakes and junk mixed in at every level. */
const junk = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.string({ maxLength: 8 }), fc.constant([]), fc.constant({}));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.oneof({ weight: 8, arbitrary: arb }, { weight: 1, arbitrary: junk as fc.Arbitrary<unknown> }), { nil: undefined, freq: 3 });

const name = fc.constantFrom('svc', 'patient-notes', 'kube-system', 'monitoring', 'ab', 'x'.repeat(31), 'Bad_Name', 'ünïcode', 'a-');
const quantity = fc.constantFrom('100m', '0.5', '2', '2 cores', '0m', '256Mi', '1Gi', '512', '-1', '64Mi', '1e3');
const port = fc.record({ name: fc.constantFrom('http', 'grpc', 'metrics', 'HTTP', 'a-very-long-port-name'), port: fc.oneof(fc.integer({ min: -1, max: 70000 }), fc.constantFrom(8080, 9090)), protocol: maybe(fc.constantFrom('http', 'grpc', 'tcp', 'udp')) }, { requiredKeys: ['name', 'port'] });
const probe = fc.record({ path: maybe(fc.constantFrom('/ready', 'ready', '/live')), port: maybe(fc.constantFrom('http', 'admin')), command: maybe(fc.constantFrom(['true'], [])), periodSeconds: maybe(fc.integer({ min: -1, max: 400 })) }, { requiredKeys: [] });
const envName = fc.constantFrom('LOG_LEVEL', 'DB_PASSWORD', 'API_TOKEN', 'TOKEN_URL', 'SESSION_KEY', 'lowercase', 'BAD-NAME', 'DATABASE_URL');
const envValue = fc.constantFrom('debug', 'hunter2', 'postgres://u:p@db/x', 'https://example.com', '');
const processValues = fc.record(
  {
    ports: maybe(fc.array(port, { maxLength: 3 })),
    replicas: maybe(fc.oneof(fc.integer({ min: -2, max: 600 }), fc.constant(2.5))),
    cpu: maybe(quantity),
    memory: maybe(quantity),
    memoryLimit: maybe(quantity),
    command: maybe(fc.constantFrom(['run'], [])),
    image: maybe(fc.constantFrom('docker.io/envoyproxy/envoy:v1.31.2', 'docker.io/envoyproxy/envoy:v1.31.2@sha256:' + 'c'.repeat(64), 'envoy', 'docker.io/x/y:latest')),
    probes: maybe(fc.record({ ready: maybe(probe), live: maybe(probe) }, { requiredKeys: [] })),
    env: maybe(fc.dictionary(envName, envValue, { maxKeys: 3 })),
    disruption: maybe(fc.record({ maxUnavailable: fc.integer({ min: 0, max: 5 }) })),
    preStopSeconds: maybe(fc.integer({ min: -1, max: 200 })),
    terminationGracePeriodSeconds: maybe(fc.integer({ min: 0, max: 100 })),
  },
  { requiredKeys: [] },
);
const values = fc.record(
  {
    name,
    team: maybe(fc.constantFrom('care-records', 'Care Records')),
    tier: maybe(fc.constantFrom('critical', 'standard', 'batch', 'gold')),
    image: maybe(fc.constantFrom('europe-docker.pkg.dev/acme-care/apps/svc', 'svc:1.0', 'UPPER/case')),
    release: maybe(fc.record({ default: fc.constantFrom('2026.11.3', '2026.11.3@sha256:' + 'b'.repeat(64), 'latest', 'main', '1.0-', 'sha256:' + 'a'.repeat(64)) })),
    processes: maybe(fc.dictionary(fc.constantFrom('web', 'worker', 'api', 'web_api', 'x'.repeat(26)), processValues, { maxKeys: 3 })),
    env: maybe(fc.dictionary(envName, envValue, { maxKeys: 3 })),
    secrets: maybe(fc.dictionary(envName, fc.record({ secret: fc.constantFrom('svc-db', 'Bad'), key: fc.constantFrom('url', 'a/b') }), { maxKeys: 2 })),
    identity: maybe(fc.oneof(fc.boolean(), fc.record({ azureClientId: fc.constantFrom('0f5c2a7e-8d41-4b6f-a3e9-71c5d2b8e604', 'nope') }))),
    automountServiceAccountToken: maybe(fc.boolean()),
    waivers: maybe(fc.dictionary(fc.constantFrom('FC-AVAIL-001', 'FC-SEC-001', 'FC-PSS-003', 'FC-NOPE-001'), fc.constantFrom('because the pilot needs it', 'x'), { maxKeys: 2 })),
    clusters: maybe(fc.dictionary(fc.constantFrom('prod-*', 'stage-eu', 'prd-*'), fc.record({ processes: fc.dictionary(fc.constantFrom('web', 'worker'), fc.record({ replicas: fc.integer({ min: 0, max: 4 }) })) }, { requiredKeys: [] }), { maxKeys: 2 })),
  },
  { requiredKeys: ['name'] },
);

/** A value that is usually right: one mistake in `rate` draws. */
const usually = <T>(right: T, wrong: fc.Arbitrary<unknown>, rate = 12) => fc.oneof({ weight: rate, arbitrary: fc.constant(right) }, { weight: 1, arbitrary: wrong });
const sensibleProcess = fc.record(
  {
    ports: usually([{ name: 'http', port: 8080 }], fc.array(port, { maxLength: 3 })),
    replicas: fc.oneof(fc.integer({ min: 1, max: 6 }), usually(3, fc.integer({ min: -1, max: 900 }))),
    cpu: fc.option(usually('250m', quantity), { nil: undefined }),
    memory: fc.option(usually('512Mi', quantity), { nil: undefined }),
    probes: usually({ ready: { path: '/ready' }, live: { path: '/live' } }, fc.record({ ready: maybe(probe), live: maybe(probe) }, { requiredKeys: [] })),
    env: fc.option(fc.dictionary(envName, envValue, { maxKeys: 2 }), { nil: undefined, freq: 2 }),
  },
  { requiredKeys: ['ports', 'replicas', 'probes'] },
);
const sensible = fc.record(
  {
    name: usually('svc', name, 20),
    team: usually('care-records', fc.constantFrom('Care Records', 3)),
    image: usually('europe-docker.pkg.dev/acme-care/apps/svc', fc.constantFrom('svc:1.0', 'UPPER/case')),
    release: fc.record({ default: usually('2026.11.3@sha256:' + 'b'.repeat(64), fc.constantFrom('latest', 'main', '1.0-', 'sha256:' + 'a'.repeat(64), '1.2.3')) }),
    processes: fc.record({ web: sensibleProcess, worker: fc.option(fc.record({ command: fc.constant(['run']), replicas: fc.integer({ min: 1, max: 3 }), probes: fc.constant({ live: { command: ['true'] } }) }), { nil: undefined }) }, { requiredKeys: ['web'] }),
    tier: fc.option(fc.constantFrom('critical', 'standard', 'batch', 'gold'), { nil: undefined, freq: 2 }),
    automountServiceAccountToken: fc.option(fc.boolean(), { nil: undefined, freq: 2 }),
    waivers: fc.option(fc.dictionary(fc.constantFrom('FC-AVAIL-001', 'FC-SEC-001', 'FC-PSS-003'), fc.constant('because the pilot needs it'), { maxKeys: 1 }), { nil: undefined, freq: 3 }),
    clusters: fc.option(fc.constant({ 'stage-*': { processes: { web: { replicas: 1 } } } }), { nil: undefined, freq: 2 }),
  },
  { requiredKeys: ['name', 'team', 'image', 'release', 'processes'] },
);

/** Clusters in the inventory the generated fleets use (the repository's). */
const INVENTORY_SIZE = renderFleet(REPO, { app: 'no-such-service' }).inventory.length;
const roots: string[] = [];
after(() => roots.forEach(removeFleet));

function folderFor(serviceName: unknown): string {
  return typeof serviceName === 'string' && /^[^/\\.][^/\\]*$/.test(serviceName) ? serviceName : 'svc';
}

describe('property: synth on random values', () => {
  it('succeeds with output that validates again, or fails with findings only; never crashes', async () => {
    let succeeded = 0;
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: sensible }, { weight: 1, arbitrary: values as fc.Arbitrary<Record<string, unknown>> }), async (input) => {
        const folder = folderFor(input.name);
        const root = makeFleet({ [`apps/${folder}/values.ts`]: valuesFile(`${JSON.stringify(input, null, 2)} as never`) });
        roots.push(root);
        const result = await runCli(root, ['synth']);
        const out = path.join(root, 'charts-out');
        if (result.code === 0) {
          succeeded++;
          assert.deepEqual(result.err, []);
          const written = snapshotTree(out);
          assert.equal(Object.keys(written).filter((f) => f.endsWith('.k8s.yaml') && !f.endsWith(PLATFORM_FILE)).length, INVENTORY_SIZE, 'one file per cluster');
          // The manifests; the Argo CD Applications beside them meet Argo CD's CRD in test/cluster/argocd.test.ts.
          for (const [file, content] of Object.entries(written).filter(([f]) => f.endsWith('.k8s.yaml'))) {
            for (const doc of parseAllDocuments(content)) {
              assert.deepEqual(doc.errors, [], file);
              assert.deepEqual(schemaErrors(doc.toJSON()), [], file);
            }
          }
          assert.equal((await runCli(root, ['validate'])).code, 0);
        } else {
          failed++;
          assert.equal(result.code, 1);
          assert.ok(result.err.length >= 2);
          for (const line of result.err.slice(0, -1)) assert.match(line, FINDING);
          assert.match(result.err.at(-1)!, SUMMARY);
          assert.equal(fs.existsSync(out), false, 'nothing written');
        }
        removeFleet(root);
      }),
      { numRuns: 80, seed: Number(process.env.FC_SEED ?? 20261122) },
    );
    // The generator must reach both outcomes, or the property says little.
    assert.ok(succeeded >= 10 && failed >= 10, `${succeeded} succeeded, ${failed} failed`);
    if (process.env.FC_VERBOSE) console.log(`${succeeded} succeeded, ${failed} failed`);
  });
});
