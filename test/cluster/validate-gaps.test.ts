import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toStream } from '../../lib/apply/objects';
import { formatFinding } from '../../lib/findings';
import { renderFleet } from '../../lib/pipeline';
import { REPO, makeFleet, removeFleet } from '../support/fleet';
import { Envtest, startEnvtest } from './envtest';
import { applyDocuments, readOutput } from './helpers';

/**
 * The validate stage against the API server. A values change that the API server rejects must
 * be rejected by `fleetchart validate` first, with a finding that names the values path: a team
 * should learn it from the pull request, not from a failed rollout. Each case makes one mistake
 * twice: in apps/medication-dispensing/values.ts for the validate stage, and directly in the
 * rendered objects for the API server (validate stops a bad value before anything renders), whose
 * answer comes from a server dry run into the running cluster.
 *
 * Cases marked `gap` are ones validate does not catch yet: their validate half is a `todo` (it
 * runs and reports, but does not fail the run) until validate catches them; then remove `gap`.
 */
type Doc = Record<string, any>;
const find = (docs: Doc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name)!;
const deployment = (docs: Doc[]) => find(docs, 'Deployment', 'medication-dispensing-api-2026-11-1');
const egressRule = (docs: Doc[]) => find(docs, 'NetworkPolicy', 'restrict-egress').spec.egress.find((r: Doc) => r.to?.[0]?.ipBlock).to[0].ipBlock;
const rounds = (docs: Doc[]) => find(docs, 'VirtualService', 'medication-dispensing-ingress-rounds').spec.http[0];
// A secret delivered in the environment: the API server checks a secretKeyRef key's name.
const userRef = (docs: Doc[]) => deployment(docs).spec.template.spec.containers[0].env.find((e: Doc) => e.name === 'DB_USER').valueFrom.secretKeyRef;

interface Case {
  readonly title: string;
  readonly from: string;
  readonly to: string;
  /** The same mistake made directly in the rendered objects, for the API server's half. */
  readonly edit: (docs: Doc[]) => void;
  /** What the API server answers. */
  readonly server: { readonly rejects: RegExp } | { readonly warns: RegExp };
  /** The values path validate's finding must name. */
  readonly path: string;
  /** Why validate misses it today. */
  readonly gap?: string;
}

const CLUSTER = 'stage-eu';
const APP = 'medication-dispensing';

const cases: Case[] = [
  {
    title: 'progressDeadlineSeconds not above minReadySeconds',
    edit: (docs) => Object.assign(deployment(docs).spec, { minReadySeconds: 120, progressDeadlineSeconds: 120 }),
    from: 'minReadySeconds: 20,',
    to: 'minReadySeconds: 120, progressDeadlineSeconds: 120,',
    server: { rejects: /The Deployment "medication-dispensing-api-2026-11-1" is invalid: spec\.progressDeadlineSeconds: Invalid value: 120: must be greater than minReadySeconds/ },
    path: 'processes.api.progressDeadlineSeconds',
  },
  {
    title: 'an egress CIDR with a prefix longer than 32',
    edit: (docs) => (egressRule(docs).cidr = '10.40.0.0/33'),
    from: "cidr: '10.40.0.0/16'",
    to: "cidr: '10.40.0.0/33'",
    server: { rejects: /The NetworkPolicy "restrict-egress" is invalid: spec\.egress\[\d+\]\.to\[0\]\.ipBlock\.cidr: Invalid value: "10\.40\.0\.0\/33": must be a valid CIDR value/ },
    path: 'egress.cidrs[0].cidr',
  },
  {
    title: 'an egress CIDR with an octet above 255',
    edit: (docs) => (egressRule(docs).cidr = '10.400.0.0/16'),
    from: "cidr: '10.40.0.0/16'",
    to: "cidr: '10.400.0.0/16'",
    server: { rejects: /The NetworkPolicy "restrict-egress" is invalid: spec\.egress\[\d+\]\.to\[0\]\.ipBlock\.cidr: Invalid value: "10\.400\.0\.0\/16": must be a valid CIDR value/ },
    path: 'egress.cidrs[0].cidr',
  },
  {
    title: 'an egress CIDR with host bits set (the server warns that it is ambiguous)',
    edit: (docs) => (egressRule(docs).cidr = '10.40.0.1/16'),
    from: "cidr: '10.40.0.0/16'",
    to: "cidr: '10.40.0.1/16'",
    server: { warns: /CIDR value "10\.40\.0\.1\/16" is ambiguous in this context \(should be "10\.40\.0\.0\/16" or "10\.40\.0\.1\/32"\?\)/ },
    path: 'egress.cidrs[0].cidr',
  },
  {
    title: 'a route timeout of 0s (Istio: must be a duration ≥ 1ms)',
    edit: (docs) => (rounds(docs).timeout = '0s'),
    from: "timeout: '5s'",
    to: "timeout: '0s'",
    server: { rejects: /The VirtualService "medication-dispensing-ingress-rounds" is invalid: spec\.http\[0\]\.timeout: Invalid value: "string": must be a valid duration greater than 1ms/ },
    path: 'routes.rounds.timeout',
  },
  {
    title: 'a retry perTryTimeout of 0ms (Istio: must be a duration ≥ 1ms)',
    edit: (docs) => (rounds(docs).retries.perTryTimeout = '0ms'),
    from: "perTryTimeout: '2s'",
    to: "perTryTimeout: '0ms'",
    server: { rejects: /The VirtualService "medication-dispensing-ingress-rounds" is invalid: spec\.http\[0\]\.retries\.perTryTimeout: Invalid value: "string": must be a valid duration greater than 1ms/ },
    path: 'routes.rounds.retries.perTryTimeout',
  },
  {
    title: 'a CORS maxAge of 0s (Istio: must be a duration ≥ 1ms)',
    edit: (docs) => (rounds(docs).corsPolicy.maxAge = '0s'),
    from: "maxAge: '10m'",
    to: "maxAge: '0s'",
    server: { rejects: /The VirtualService "medication-dispensing-ingress-rounds" is invalid: spec\.http\[0\]\.corsPolicy\.maxAge: Invalid value: "string": must be a valid duration greater than 1ms/ },
    path: 'routes.rounds.cors.maxAge',
  },
  {
    title: "a Secret key of '..'",
    edit: (docs) => (userRef(docs).key = '..'),
    from: "key: 'username'",
    to: "key: '..'",
    server: { rejects: /spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.valueFrom\.secretKeyRef\.key: Invalid value: "\.\.": must not be '\.\.'/ },
    path: 'secrets.DB_USER.key',
  },
  {
    title: "a Secret key starting with '..'",
    edit: (docs) => (userRef(docs).key = '..data'),
    from: "key: 'username'",
    to: "key: '..data'",
    server: { rejects: /spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.valueFrom\.secretKeyRef\.key: Invalid value: "\.\.data": must not start with '\.\.'/ },
    path: 'secrets.DB_USER.key',
  },
];

let env: Envtest;
const roots: string[] = [];
before(async () => {
  const fleet = renderFleet(REPO, { cluster: CLUSTER });
  env = await startEnvtest({ clusters: fleet.clusters });
  // The namespaces must exist for the server to check namespaced objects.
  const report = await applyDocuments(env, CLUSTER, readOutput(path.join(REPO, 'charts-out', CLUSTER)));
  assert.deepEqual(report.errors, []);
});
after(async () => {
  await env?.stop();
  roots.forEach(removeFleet);
});

function edited(c: Case) {
  const root = makeFleet({}, { withExampleApps: true });
  roots.push(root);
  const file = path.join(root, 'apps', APP, 'values.ts');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(c.from), `apps/${APP}/values.ts no longer has '${c.from}': update this case`);
  fs.writeFileSync(file, text.replace(c.from, c.to));
  return renderFleet(root, { cluster: CLUSTER, app: APP });
}

describe('validate agrees with the API server: values the API server rejects or warns about', () => {
  for (const c of cases) {
    describe(c.title, () => {
      const result = edited(c);
      const good = renderFleet(REPO, { cluster: CLUSTER, app: APP });

      it(`the API server ${'rejects' in c.server ? 'rejects it' : 'warns about it'} (server dry run, strict field validation)`, async () => {
        const documents = structuredClone(good.files.flatMap((f) => f.documents)) as Doc[];
        c.edit(documents);
        const answer = await env.kubectl.run(['apply', '--server-side', '--field-manager=fleetchart', '--validate=strict', '--dry-run=server', '-f', '-'], { input: toStream(documents) });
        if ('rejects' in c.server) {
          assert.notEqual(answer.code, 0, 'the API server accepted it');
          assert.match(answer.stderr, c.server.rejects);
        } else {
          assert.equal(answer.code, 0, answer.stderr);
          assert.match(answer.stderr, c.server.warns);
        }
      });

      it(`validate reports it at ${c.path}`, { todo: c.gap ? `validate gap: ${c.gap}` : undefined }, () => {
        const findings = result.findings.filter((f) => f.file === `apps/${APP}/values.ts`).map(formatFinding);
        assert.ok(
          findings.some((line) => line.startsWith(`apps/${APP}/values.ts: ${c.path}: `)),
          `validate passes it: ${findings.length ? findings.join('\n') : 'no finding'}`,
        );
      });
    });
  }
});
