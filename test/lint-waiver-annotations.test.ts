import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { GKE_PROD } from './support/clusters';
import { REPO } from './support/fleet';
import { checkovReport, kubeScoreReport } from './support/linters';
import { baseValues, renderValues } from './support/render';

/**
 * A waiver in a service's values reaches the third-party linters as their own per-object ignore
 * annotation: proven by running kube-score and checkov themselves (installed by
 * scripts/install-tools.sh, cached) and @monokle/validation on the rendered objects, with and
 * without the annotations fleetchart wrote.
 */


/** checkov's verdicts for one check on the objects: resource → 'failed' | 'skipped'. */
function checkov(documents: readonly Record<string, any>[], check: string): Map<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-checkov-'));
  fs.writeFileSync(path.join(dir, 'objects.yaml'), documents.map((d) => stringify(d)).join('---\n'));
  const out = checkovReport(dir, ['--check', check]);
  fs.rmSync(dir, { recursive: true, force: true });
  const verdicts = new Map<string, string>();
  for (const run of [out].flat() as any[]) {
    for (const c of run?.results?.failed_checks ?? []) verdicts.set(c.resource, 'failed');
    for (const c of run?.results?.skipped_checks ?? []) verdicts.set(c.resource, 'skipped');
  }
  return verdicts;
}

/** checkov's verdict for one check on the service's Deployment, with the annotations fleetchart wrote and without its checkov.io/ ones. */
function checkovOnDeployment(values: Record<string, unknown>, check: string): { withAnnotations?: string; without?: string } {
  const documents = JSON.parse(JSON.stringify(renderValues(values, GKE_PROD).documents)) as Record<string, any>[];
  const deployment = documents.find((d) => d.kind === 'Deployment')!;
  const resource = `Deployment.${deployment.metadata.namespace}.${deployment.metadata.name}`;
  const stripped = structuredClone(documents);
  for (const d of stripped) for (const key of Object.keys(d.metadata.annotations ?? {})) if (key.startsWith('checkov.io/')) delete d.metadata.annotations[key];
  return { withAnnotations: checkov(documents, check).get(resource), without: checkov(stripped, check).get(resource) };
}

function kubeScore(documents: readonly Record<string, any>[]): { object: string; check: string; skipped: boolean; grade: number }[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-kube-score-'));
  const file = path.join(dir, 'objects.yaml');
  fs.writeFileSync(file, documents.map((d) => stringify(d)).join('---\n'));
  const out = kubeScoreReport([file]) as any[];
  fs.rmSync(dir, { recursive: true, force: true });
  return out.flatMap((o: any) => o.checks.map((c: any) => ({ object: `${o.type_meta.kind}/${o.object_meta.name}`, check: c.check.id, skipped: c.skipped, grade: c.grade })));
}

/** monokle's findings of one rule on the objects, through its own annotation suppressor. */
async function monokle(documents: readonly Record<string, any>[], rule: string): Promise<{ object: string; suppressed: boolean }[]> {
  const { AnnotationSuppressor, DefaultPluginLoader, DisabledFixer, MonokleValidator, ResourceParser, SchemaLoader } = await import('@monokle/validation');
  const parser = new ResourceParser();
  const validator = new MonokleValidator({ loader: new DefaultPluginLoader(), parser, suppressors: [new AnnotationSuppressor()], fixer: new DisabledFixer(), schemaLoader: new SchemaLoader() });
  await validator.preload({ plugins: { practices: true }, rules: { 'practices/no-secret-env': 'err' } } as never);
  const resources = documents.map((doc, i) => ({ id: `r${i}`, fileId: `f${i}`, filePath: `f${i}.yaml`, fileOffset: 0, name: doc.metadata.name, apiVersion: doc.apiVersion, kind: doc.kind, namespace: doc.metadata.namespace, content: doc, text: stringify(doc) }));
  const response = await validator.validate({ resources });
  const byFile = new Map(resources.map((r) => [r.filePath, r]));
  return response.runs
    .flatMap((run) => run.results)
    .filter((r) => r.ruleId === rule)
    .map((r) => {
      const resource = byFile.get(r.locations[0]?.physicalLocation?.artifactLocation.uri ?? '')!;
      return { object: `${resource.kind}/${resource.name}`, suppressed: (r.suppressions ?? []).some((x) => x.status === 'accepted') };
    });
}

describe('lint: service waivers reach kube-score as kube-score/ignore', () => {
  before(() => {
    execFileSync('bash', [path.join(REPO, 'scripts', 'install-tools.sh'), 'kube-score', 'checkov'], { stdio: 'ignore' });
  });

  it('a waived single-replica prod Deployment is not reported by kube-score, and is without the annotation', () => {
    const values = { ...baseValues(), processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 1, probes: { ready: { path: '/ready' }, live: { path: '/live' } } } }, waivers: { 'FC-AVAIL-001': 'a single session is all the vendor API allows' } };
    const documents = JSON.parse(JSON.stringify(renderValues(values, GKE_PROD).documents)) as Record<string, any>[];
    const deployment = documents.find((d) => d.kind === 'Deployment')!;
    assert.equal(deployment.metadata.annotations['kube-score/ignore'], 'deployment-replicas');

    const replicas = (docs: Record<string, any>[]) => kubeScore(docs).filter((c) => c.object === `Deployment/${deployment.metadata.name}` && c.check === 'deployment-replicas');
    const waived = replicas(documents);
    assert.ok(waived.length === 0 || waived.every((c) => c.skipped), JSON.stringify(waived));

    const stripped = structuredClone(documents);
    delete stripped.find((d) => d.kind === 'Deployment')!.metadata.annotations['kube-score/ignore'];
    const reported = replicas(stripped);
    assert.ok(reported.some((c) => !c.skipped && c.grade < 10), `kube-score reports the single replica without the annotation: ${JSON.stringify(reported)}`);
  });

  it("the default probes (a TCP connect for both) carry kube-score's pod-probes-identical ignore, which kube-score reports without it", () => {
    const documents = JSON.parse(JSON.stringify(renderValues(baseValues(), GKE_PROD).documents)) as Record<string, any>[];
    const deployment = documents.find((d) => d.kind === 'Deployment')!;
    const container = deployment.spec.template.spec.containers[0];
    assert.deepEqual([container.readinessProbe.tcpSocket, container.livenessProbe.tcpSocket], [{ port: 'http' }, { port: 'http' }]);
    assert.equal(deployment.metadata.annotations['kube-score/ignore'], 'pod-probes-identical');
    const identical = (docs: Record<string, any>[]) => kubeScore(docs).filter((c) => c.object === `Deployment/${deployment.metadata.name}` && c.check === 'pod-probes-identical');
    assert.ok(identical(documents).every((c) => c.skipped || c.grade === 10), JSON.stringify(identical(documents)));
    const stripped = structuredClone(documents);
    delete stripped.find((d) => d.kind === 'Deployment')!.metadata.annotations['kube-score/ignore'];
    assert.ok(identical(stripped).some((c) => !c.skipped && c.grade < 10), JSON.stringify(identical(stripped)));
  });

  it('a waived identical HTTP probe pair (FC-PROBE-002) is skipped by kube-score; probes on different paths need no annotation', () => {
    const web = (probes: Record<string, unknown>, waivers?: Record<string, string>) => ({ ...baseValues(), processes: { web: { ports: [{ name: 'http', port: 8080 }], probes } }, ...(waivers ? { waivers } : {}) });
    const waived = JSON.parse(JSON.stringify(renderValues(web({ ready: { path: '/_healthz' }, live: { path: '/_healthz' } }, { 'FC-PROBE-002': '/_healthz checks only the process' }), GKE_PROD).documents)) as Record<string, any>[];
    const deployment = waived.find((d) => d.kind === 'Deployment')!;
    assert.equal(deployment.metadata.annotations['kube-score/ignore'], 'pod-probes-identical');
    assert.ok(kubeScore(waived).filter((c) => c.check === 'pod-probes-identical').every((c) => c.skipped || c.grade === 10));
    const distinct = JSON.parse(JSON.stringify(renderValues(web({ ready: { path: '/ready' }, live: { path: '/live' } }), GKE_PROD).documents)) as Record<string, any>[];
    assert.equal(distinct.find((d) => d.kind === 'Deployment')!.metadata.annotations?.['kube-score/ignore'], undefined);
    assert.ok(kubeScore(distinct).filter((c) => c.check === 'pod-probes-identical').every((c) => !c.skipped && c.grade === 10));
  });

  it('a waived worker without a liveness probe (FC-PROBE-003) is skipped by checkov (CKV_K8S_8), and fails without the annotation', () => {
    const values = { ...baseValues(), processes: { worker: { command: ['/app/worker'] } }, waivers: { 'FC-PROBE-003': 'a batch consumer the queue redelivers to; a restart loses nothing' } };
    assert.deepEqual(checkovOnDeployment(values, 'CKV_K8S_8'), { withAnnotations: 'skipped', without: 'failed' });
  });

  it('a waived tag in prod (FC-IMG-002) is skipped by checkov (CKV_K8S_43, image digest), and fails without the annotation', () => {
    const values = { ...baseValues(), release: { default: '2026.11.3' }, waivers: { 'FC-IMG-002': 'nightly build for the clinical pilot, never patient data' } };
    assert.deepEqual(checkovOnDeployment(values, 'CKV_K8S_43'), { withAnnotations: 'skipped', without: 'failed' });
  });
});

describe('lint: service waivers reach monokle as monokle.io/suppress.<rule>', () => {
  it("a waived secret-looking literal (FC-SEC-001) is suppressed in monokle's KBP111, and reported without the annotation", async () => {
    const values = { ...baseValues(), env: { OIDC_CLIENT_SECRET_NAME: 'care-portal' }, waivers: { 'FC-SEC-001': 'names the Secret object, not its value' } };
    const documents = JSON.parse(JSON.stringify(renderValues(values, GKE_PROD).documents)) as Record<string, any>[];
    const deployment = documents.find((d) => d.kind === 'Deployment')!;
    assert.equal(deployment.metadata.annotations['monokle.io/suppress.KBP111'], 'FC-SEC-001: names the Secret object, not its value');
    const waived = await monokle(documents, 'KBP111');
    assert.ok(waived.length > 0 && waived.every((f) => f.suppressed), JSON.stringify(waived));
    const stripped = structuredClone(documents);
    for (const d of stripped) delete d.metadata.annotations?.['monokle.io/suppress.KBP111'];
    const reported = await monokle(stripped, 'KBP111');
    assert.ok(reported.some((f) => f.object === `Deployment/${deployment.metadata.name}` && !f.suppressed), JSON.stringify(reported));
  });
});
