/**
 * The release model's promises, checked on what is rendered: each request of a grid is routed
 * through the rendered VirtualServices with Envoy's matching semantics (test/support/envoy-routing.ts)
 * and must reach the DestinationRule subset `routeVersions` (lib/values/release.ts) names, whose
 * pods run that version. The requests are data (test/support/routing-grid.ts), so the tier that
 * runs Istio's own translation can check the same grid.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFinding } from '../lib/findings';
import { renderFleet } from '../lib/pipeline';
import { ClusterView } from '../lib/validate/context';
import { checkTraffic } from '../lib/validate/rules/traffic';
import { versionFor } from '../lib/values/release';
import { GKE_PROD } from './support/clusters';
import { claimsPath, routeRequest } from './support/envoy-routing';
import { REPO } from './support/fleet';
import { baseValues, byName, renderValues, resolveValues } from './support/render';
import { assertRoutingAgrees } from './support/routing-check';

/** Routing tests name versions by tag; prod's digest rule (FC-IMG-002) has tests of its own. */
const tagged = <T extends object>(values: T) => ({ ...values, waivers: { 'FC-IMG-002': 'routing tests name versions by tag; the digest rule is tested on its own' } });

const fleet = renderFleet(REPO);

describe('release: every organization reaches exactly the version the values say', () => {
  it('on every example service and cluster, for organizations, buckets (leading zeros and junk included), users and cookies', () => {
    assert.deepEqual(fleet.findings, []);
    let checked = 0;
    for (const file of fleet.files) checked += assertRoutingAgrees(file);
    assert.ok(checked > fleet.files.length * 100, `${checked} requests`);
  });

  it('through every step of a rollout, a rollback and a promotion, with three live versions', () => {
    const values = (release: Record<string, unknown>) => ({ ...tagged(baseValues()), routes: { api: { host: 'notes', paths: ['/api/notes'] } }, release });
    const pins = { orgs: { 'oak-lodge': '2026.11.2', 'st-marys': '2026.11.4' }, users: { 'qa.lead@acme-care.example': '2026.11.4' } };
    const versions = ['2026.11.2', '2026.11.3', '2026.11.4'];
    for (const rollout of [{ weight: 0 }, ...[0, 1, 2, 3, 4].map((step) => ({ step })), { step: 2, rollback: true }]) {
      assertRoutingAgrees(renderValues(values({ versions, default: '2026.11.3', rollout: { version: '2026.11.4', ...rollout }, ...pins })));
    }
    assertRoutingAgrees(renderValues(values({ versions, default: '2026.11.4', ...pins })));
  });
});

describe('release: the five defects of the two-track model stay fixed', () => {
  it('1. a hold is a pin to a version: promoting the default never moves a held organization', () => {
    const release = (defaults: string) => ({ ...tagged(baseValues()), release: { versions: ['2026.11.3', '2026.11.4'], default: defaults, orgs: { 'oak-lodge': '2026.11.3' } } });
    for (const file of [renderValues(release('2026.11.3')), renderValues(release('2026.11.4'))]) {
      const hit = routeRequest(byName(file).get('VirtualService/patient-notes-web'), { path: '/', headers: { 'x-care-org': 'oak-lodge', 'x-care-org-bucket': '3' } });
      assert.equal(hit!.destinations[0].subset, '2026-11-3');
      assert.equal(versionFor(file.service.traffic.release, { org: 'oak-lodge', bucket: 3 }).reason, 'held');
    }
  });

  it('2. no route reads a cookie or an inverted header match: identity comes from headers the gateway sets', () => {
    for (const file of fleet.files) {
      for (const doc of file.documents.filter((d) => d.kind === 'VirtualService')) {
        for (const route of (doc as any).spec.http) {
          for (const entry of route.match ?? []) {
            assert.equal(entry.withoutHeaders, undefined, `${file.path} ${doc.metadata.name}`);
            for (const header of Object.keys(entry.headers ?? {})) assert.ok(Object.values(file.service.cluster.routing).includes(header) && header !== 'cookie', `${file.path} ${doc.metadata.name} reads ${header}`);
          }
        }
      }
    }
    // A held organization known only by its cookie is not identified by the mesh: it gets the default, as everyone without a bucket.
    const file = renderValues({ ...tagged(baseValues()), release: { default: '2026.11.3', rollout: { version: '2026.11.4', step: 4 }, orgs: { 'oak-lodge': '2026.11.3' } } });
    const hit = routeRequest(byName(file).get('VirtualService/patient-notes-web'), { path: '/', headers: { cookie: 'care_org=oak-lodge' } });
    assert.equal(hit!.destinations[0].subset, '2026-11-3');
  });

  it('3. workers and tcp/tls processes run only the default, unless they opt in; at weight 0 and under rollback their rollout pods are zero', () => {
    const processes = {
      web: { ports: [{ name: 'http', port: 8080 }], replicas: 3 },
      worker: { command: ['run'], replicas: 3 },
      broker: { ports: [{ name: 'amqp', port: 5672, protocol: 'tcp' }], replicas: 3 },
      sharer: { command: ['run'], replicas: 4, followRollout: true },
    };
    const deployments = (rollout: Record<string, unknown>) => {
      const service = resolveValues({ ...tagged(baseValues()), processes, release: { default: '2026.11.3', rollout: { version: '2026.11.4', ...rollout } } }).service!;
      return Object.fromEntries(service.processes.map((p) => [p.name, p.deployments.map((d) => `${d.deploymentName}=${d.version}×${d.replicas}`)]));
    };
    const defaultsOnly = { worker: ['patient-notes-worker=2026.11.3×3'], broker: ['patient-notes-broker=2026.11.3×3'] };
    assert.deepEqual(deployments({ weight: 0 }), { ...defaultsOnly, web: ['patient-notes-web-2026-11-3=2026.11.3×3', 'patient-notes-web-2026-11-4=2026.11.4×2'], sharer: ['patient-notes-sharer=2026.11.3×4', 'patient-notes-sharer-canary=2026.11.4×0'] });
    assert.deepEqual(deployments({ step: 3 }).sharer, ['patient-notes-sharer=2026.11.3×4', 'patient-notes-sharer-canary=2026.11.4×2']);
    assert.deepEqual(deployments({ step: 3, rollback: true }).sharer, ['patient-notes-sharer=2026.11.3×4', 'patient-notes-sharer-canary=2026.11.4×0']);
    assert.deepEqual(deployments({ step: 3 }).broker, defaultsOnly.broker);
    const docs = byName(renderValues({ ...tagged(baseValues()), processes, release: { default: '2026.11.3', rollout: { version: '2026.11.4', step: 3 } } }));
    assert.ok(!docs.has('VirtualService/patient-notes-broker'), 'a tcp-only process has no HTTP routes');
  });

  it('4. an identified organization is never split at random: buckets with leading zeros are the same bucket, a request without one gets the default', () => {
    const file = renderValues({ ...tagged(baseValues()), release: { default: '2026.11.3', rollout: { version: '2026.11.4', step: 1 } } });
    const vs = byName(file).get('VirtualService/patient-notes-web');
    const subset = (headers: Record<string, string>) => routeRequest(vs, { path: '/', headers })!.destinations.map((d) => `${d.subset}@${d.weight}`);
    for (const bucket of ['5', '05', '005']) assert.deepEqual(subset({ 'x-care-org': 'new-org', 'x-care-org-bucket': bucket }), ['2026-11-4@100']);
    for (const bucket of ['15', '015', '100', 'x']) assert.deepEqual(subset({ 'x-care-org': 'new-org', 'x-care-org-bucket': bucket }), ['2026-11-3@100']);
    assert.deepEqual(subset({ 'x-care-org': 'new-org' }), ['2026-11-3@100']);
    assert.deepEqual(subset({}), ['2026-11-3@100']);
  });

  it('5a. long pin lists stay under Istio\'s limits: an exact match per id, no regex over 1,024 characters', () => {
    const orgs = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`care-home-with-a-long-name-${i}`, '2026.11.4']));
    const file = renderValues({ ...tagged(baseValues()), routes: { api: { host: 'notes', paths: ['/api/notes'] } }, release: { default: '2026.11.3', rollout: { version: '2026.11.4', step: 2 }, orgs } });
    const regexes = file.content.match(/regex: .*/g) ?? [];
    assert.ok(regexes.every((r) => r.length < 1024), 'every regex under 1,024 characters');
    const vs = byName(file).get('VirtualService/patient-notes-ingress-api');
    for (const org of [...Object.keys(orgs), 'unpinned-org']) {
      const hit = routeRequest(vs, { path: '/api/notes/1', headers: { 'x-care-org': org, 'x-care-org-bucket': '60' } });
      assert.equal(hit!.destinations[0].subset, org in orgs ? '2026-11-4' : '2026-11-3', org);
    }
  });

  it('5b. a path prefix never captures a sibling path: /api/notes does not take /api/notes-admin, and FC-ROUTE-003 agrees', () => {
    const notes = renderValues({ ...tagged(baseValues('notes')), routes: { api: { host: 'care', paths: ['/api/notes'] } } });
    const admin = renderValues({ ...tagged(baseValues('notes-admin')), routes: { api: { host: 'care', paths: ['/api/notes-admin'] } } });
    const claimants = (path: string) => [notes, admin].filter((f) => claimsPath(byName(f).get(`VirtualService/${f.service.name}-ingress-api`), path)).map((f) => f.service.name);
    assert.deepEqual(claimants('/api/notes-admin'), ['notes-admin']);
    assert.deepEqual(claimants('/api/notes-admin/x'), ['notes-admin']);
    assert.deepEqual(claimants('/api/notes'), ['notes']);
    assert.deepEqual(claimants('/api/notes/17'), ['notes']);
    const view = new ClusterView(GKE_PROD, [notes, admin]);
    checkTraffic(view);
    assert.deepEqual(view.findings.map(formatFinding), []);
  });
});
