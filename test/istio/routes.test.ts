/**
 * Routing proven through Istio's own translation: every cluster's rendered VirtualServices and
 * DestinationRules go through istiod's config generator (scripts/istio-routes, built from
 * istio.io/istio by scripts/setup-istio-routes.sh), and a grid of requests is routed through the
 * Envoy route configuration it produces. The grid and every property are read from the rendered
 * output, never from the values shape.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import inventory from '../../apps/clusters';
import {
  type ClusterRouting,
  type ExpectedSubset,
  type GridRequest,
  type RouteResult,
  type RoutesOutput,
  type RoutingNames,
  SKIP_WITHOUT_PROBE,
  checkExpected,
  clusterDirs,
  clusterRouting,
  describeRequest,
  gridIdentities,
  identified,
  pathInside,
  reachable,
  requestGrid,
  translateRoutes,
} from '../support/istio-routes';
import { renderFleet } from '../../lib/pipeline';
import { routeVersions } from '../../lib/values/release';
import { REPO } from '../support/fleet';
import { baseValues, renderValues } from '../support/render';

const DEFAULT_NAMES: RoutingNames = { orgHeader: 'x-care-org', userHeader: 'x-care-user', bucketHeader: 'x-care-org-bucket', orgCookie: 'care_org', userCookie: 'care_user' };

function routingNames(cluster: string): RoutingNames {
  const entry = (inventory as any[]).find((c) => c.name === cluster);
  return { ...DEFAULT_NAMES, ...(entry?.routing ?? {}) };
}

interface Proven {
  cluster: string;
  routing: ClusterRouting;
  requests: GridRequest[];
  out: RoutesOutput;
  results: Map<string, RouteResult>;
}

const proven: Proven[] = [];
let gridSize = 0;

/** At most `max` lines of a problem list, with the count. */
function report(problems: string[], max = 15): string {
  return `${problems.length} problem(s):\n${problems.slice(0, max).join('\n')}${problems.length > max ? '\n...' : ''}`;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(i);
  }
  return m;
}

/**
 * Each claimed ingress path, probed from inside and anonymously, must reach the VirtualService with
 * the longest claim covering it as a path-segment prefix: whichever order istiod merges the
 * VirtualServices of a host in (it goes by creation time), and Envoy takes the first route that matches.
 */
function capturedPaths(cluster: string, dir: string, routing: ClusterRouting): string[] {
  const problems: string[] = [];
  const probes = routing.ingress.map((claim, i) => ({ id: `capture-${i}`, view: 'ingress' as const, host: claim.host, path: pathInside(claim), headers: {} }));
  for (const reverseCreation of [false, true]) {
    const answers = new Map(translateRoutes(dir, probes, { reverseCreation }).results.map((r) => [r.id, r]));
    for (const [i, probe] of probes.entries()) {
      const owner = routing.ingress
        .filter((c) => c.host === probe.host && (c.kind === 'exact' ? c.path === probe.path : probe.path === c.path || probe.path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
        .sort((a, b) => b.path.length - a.path.length)[0];
      const got = answers.get(`capture-${i}`)!;
      if (got.virtualService !== owner.virtualService) {
        problems.push(`${cluster}: ${probe.host}${probe.path} (claimed by ${owner.virtualService} as ${owner.path}) is routed by ${got.virtualService ?? 'nothing'} (route ${got.route}${reverseCreation ? ', reverse creation order' : ''})`);
      }
    }
  }
  return problems;
}

/** A request "as the gateway sends it": org in the header, a canonical bucket, no cookie. */
const asGatewaySends = (r: GridRequest) => r.identity.bucketKind === 'canonical' && r.identity.orgVia !== 'cookie' && r.identity.userVia !== 'cookie';

describe('istio routing: every cluster through istiod translation', { skip: SKIP_WITHOUT_PROBE }, () => {
  before(() => {
    for (const { cluster, dir } of clusterDirs()) {
      const names = routingNames(cluster);
      const routing = clusterRouting(dir, names);
      const requests = requestGrid(routing, gridIdentities(routing), names);
      const out = translateRoutes(dir, requests);
      proven.push({ cluster, routing, requests, out, results: new Map(out.results.map((r) => [r.id, r])) });
      gridSize += requests.length;
    }
    console.log(`istio routing grid: ${gridSize} requests over ${proven.length} clusters (${proven.map((p) => `${p.cluster}: ${p.requests.length}`).join(', ')})`);
  });

  it('finds routes to prove on every cluster (a grid that is not empty)', () => {
    assert.ok(proven.length > 0, 'no cluster in charts-out/');
    for (const p of proven) {
      assert.ok(p.routing.ingress.length + p.routing.mesh.length > 0, `${p.cluster}: no VirtualService entry point`);
      assert.equal(p.out.results.length, p.requests.length, `${p.cluster}: every request answered`);
    }
  });

  it('passes Istio admission validation (pkg/config/validation) for every VirtualService and DestinationRule', () => {
    const errors = proven.flatMap((p) => p.out.validation.filter((v) => v.severity === 'error').map((v) => `${p.cluster}: ${v.kind} ${v.namespace}/${v.name}: ${v.message}`));
    assert.deepEqual(errors, []);
  });

  it('routes every request of the grid to its own service (no 404 from Envoy, no other service)', () => {
    const problems: string[] = [];
    for (const p of proven) for (const r of p.requests) {
      const res = p.results.get(r.id)!;
      if (!res.matched || res.action !== 'route') problems.push(`${p.cluster}: ${describeRequest(r)}: ${res.note ?? res.action}`);
      else if (res.clusters!.some((c) => c.host !== r.service)) problems.push(`${p.cluster}: ${describeRequest(r)} reaches ${res.clusters!.map((c) => c.host).join(', ')}`);
    }
    assert.deepEqual(problems, [], report(problems));
  });

  it('sends every request of an identified organization or user, as the gateway sends it, to exactly one subset', () => {
    const problems: string[] = [];
    for (const p of proven) for (const r of p.requests.filter((r) => identified(r.identity) && asGatewaySends(r))) {
      const subsets = reachable(p.results.get(r.id)!);
      if (subsets.length !== 1) problems.push(`${p.cluster}: ${describeRequest(r)} is split over [${subsets.join(', ')}]`);
    }
    assert.deepEqual(problems, [], report(problems));
  });

  it('gives the ingress gateway and the mesh the same subsets for the same identity', () => {
    const problems: string[] = [];
    for (const p of proven) {
      const byIdentityAndService = groupBy(p.requests, (r) => `${r.service} ${JSON.stringify(r.identity)}`);
      for (const group of byIdentityAndService.values()) {
        const seen = new Map<string, string>();
        for (const r of group) seen.set(`${r.view}:${r.host}${r.port ? `:${r.port}` : ''}${r.path}`, reachable(p.results.get(r.id)!).sort().join(' + '));
        const views = new Set([...seen.keys()].map((k) => k.split(':')[0]));
        if (views.size < 2) continue;
        if (new Set(seen.values()).size > 1) problems.push(`${p.cluster}: ${describeRequest(group[0])}: ${[...seen].map(([k, v]) => `${k} → ${v}`).join('; ')}`);
      }
    }
    assert.deepEqual(problems, [], report(problems));
  });

  it('reaches only subsets that exist: defined by a DestinationRule, built by istiod, with pods of a rendered Deployment', () => {
    const problems = new Set<string>();
    for (const p of proven) for (const res of p.out.results) for (const c of res.clusters ?? []) {
      if (c.weight === 0) continue;
      if (!c.clusterBuilt) problems.add(`${p.cluster}: ${c.cluster}: istiod built no such Envoy cluster (subset missing from the DestinationRule?)`);
      if (c.subset && !p.out.subsets.some((s) => s.host === c.host && s.subset === c.subset)) problems.add(`${p.cluster}: subset ${c.subset} of ${c.host} is in no DestinationRule`);
      if (c.deployments.length === 0) problems.add(`${p.cluster}: ${c.cluster} selects ${JSON.stringify(c.labels)}: no Deployment with replicas has those pod labels`);
    }
    assert.deepEqual([...problems], [], report([...problems]));
  });

  it("never lets a route capture another route's path, in either creation order (Envoy prefix semantics, first match wins)", () => {
    const problems = proven.flatMap((p) => capturedPaths(p.cluster, clusterDirs().find((c) => c.cluster === p.cluster)!.dir, p.routing));
    assert.deepEqual(problems, [], report(problems));
  });

  /**
   * The release model's own answer (routeVersions, what `fleetchart routes --org` prints) for a
   * request as the ingress gateway hands it on: routing cookies stripped, identity in headers.
   */
  const modelExpected = (cluster: string): ExpectedSubset => {
    const services = new Map(renderFleet(REPO, { cluster }).files.map((f) => [f.app, f.service]));
    const viaHeader = (value: string | undefined, via: 'header' | 'cookie' | 'both' | undefined) => (via === 'cookie' ? undefined : value);
    return (_c, _s, r) => {
      const service = services.get(r.app);
      if (!service || r.identity.bucketKind === 'spoofed') return undefined;
      const who = { org: viaHeader(r.identity.org, r.identity.orgVia), user: viaHeader(r.identity.user, r.identity.userVia), bucket: r.identity.bucket };
      const answers = routeVersions(service, who);
      const answer =
        r.view === 'mesh'
          ? answers.find((a) => a.via === 'mesh' && a.host === r.service)
          : answers.find((a) => a.via === 'gateway' && a.host === r.host && a.path !== undefined && (r.path === a.path || r.path.startsWith(a.path === '/' ? '/' : `${a.path}/`)));
      return answer?.subset;
    };
  };

  it("sends every request to the version the release model names for its organization, bucket and user (routeVersions), through istiod's translation", () => {
    let checked = 0;
    const problems = proven.flatMap((p) => {
      const expected = modelExpected(p.cluster);
      const requests = p.requests.filter((r) => expected(p.cluster, r.service, r) !== undefined);
      checked += requests.length;
      return checkExpected(p.cluster, requests, p.results, expected);
    });
    assert.ok(checked > 0, 'the grid has requests the model answers');
    assert.deepEqual(problems, [], report(problems));
  });

  // ---- The defects of issue 9 through Istio's translation: each failed on the two-track model.

  /** Routing reads headers only (the gateway turns verified identity into headers and strips the routing cookies): a cookie changes nothing. */
  const cookieChangesNothing = (p: Proven): ExpectedSubset => {
    const key = (r: Proven['requests'][number], org: string | undefined) => `${r.view} ${r.host} ${r.port} ${r.path} ${org ?? '-'} ${r.identity.bucket ?? '-'}`;
    const byKey = new Map<string, string>();
    for (const r of p.requests) {
      if (r.identity.user || r.identity.orgVia === 'cookie' || r.identity.orgVia === 'both') continue;
      const subsets = reachable(p.results.get(r.id)!);
      if (subsets.length === 1) byKey.set(key(r, r.identity.org), subsets[0].split('|')[1]);
    }
    // An org only in a cookie is no org at all; header plus cookie is the header.
    return (_c, _s, r) => (r.identity.user ? undefined : r.identity.orgVia === 'cookie' ? byKey.get(key(r, undefined)) : r.identity.orgVia === 'both' ? byKey.get(key(r, r.identity.org)) : undefined);
  };

  it('defect 2: no route reads a cookie: an organization only in a cookie routes as a request without one, header plus cookie as the header', () => {
    const problems = proven.flatMap((p) => checkExpected(p.cluster, p.requests.filter((r) => r.identity.bucketKind !== 'spoofed'), p.results, cookieChangesNothing(p)));
    assert.deepEqual(problems, [], report(problems));
  });

  it('defect 4: an identified organization without a bucket reaches exactly one version (no per-request random split)', () => {
    const problems: string[] = [];
    for (const p of proven) for (const r of p.requests.filter((r) => r.identity.org && r.identity.bucketKind === 'absent')) {
      const subsets = reachable(p.results.get(r.id)!);
      if (subsets.length !== 1) problems.push(`${p.cluster}: ${describeRequest(r)} is split at random over [${subsets.join(', ')}]`);
    }
    assert.deepEqual(problems, [], report(problems));
  });

  it("defect 4: a bucket written '05' is not routed differently from bucket 5", () => {
    const problems: string[] = [];
    for (const p of proven) {
      const byKey = groupBy(p.requests.filter((r) => r.identity.bucket === '5' || r.identity.bucket === '05'), (r) => `${r.view} ${r.host} ${r.port} ${r.path} ${r.identity.org} ${r.identity.orgVia} ${r.identity.user}`);
      for (const rs of byKey.values()) {
        const answers = new Set(rs.map((r) => reachable(p.results.get(r.id)!).sort().join(' + ')));
        if (answers.size > 1) problems.push(`${p.cluster}: ${describeRequest(rs[0])}: '5' and '05' reach ${[...answers].join(' vs ')}`);
      }
    }
    assert.deepEqual(problems, [], report(problems));
  });
});

/** Renders values objects into a throwaway cluster folder, as `synth` would write them. */
function renderedCluster(valuesList: Record<string, unknown>[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-istio-'));
  for (const values of valuesList) {
    const file = renderValues(values);
    fs.writeFileSync(path.join(dir, `${file.app}.k8s.yaml`), file.content);
  }
  return dir;
}

describe('istio routing: limits and overlaps (issue 9, defect 5)', { skip: SKIP_WITHOUT_PROBE }, () => {
  it('keeps 21 pinned organizations within what Istio admits (regex at most 1024 characters)', () => {
    // 21 ids of 50 characters (ids may have 63): one alternation of them is over 1,024 characters.
    const orgs = Array.from({ length: 21 }, (_, i) => `care-home-group-${String(i).padStart(2, '0')}-${'residential-and-nursing'.padEnd(31, 'x')}`);
    const dir = renderedCluster([{ ...baseValues(), release: { versions: [`2026.11.3@sha256:${'a'.repeat(64)}`, `2026.11.4@sha256:${'b'.repeat(64)}`], default: '2026.11.3', rollout: { version: '2026.11.4', weight: 0 }, orgs: Object.fromEntries(orgs.map((org) => [org, '2026.11.4'])) } }]);
    try {
      const errors = translateRoutes(dir, []).validation.filter((v) => v.severity === 'error').map((v) => `${v.kind} ${v.name}: ${v.message}`);
      assert.deepEqual(errors, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("does not let /api/notes capture /api/notes-admin claimed by another service on the same host", () => {
    const notes = { ...baseValues('patient-notes'), routes: { api: { host: 'notes', paths: ['/api/notes'] } } };
    const admin = { ...baseValues('notes-admin'), routes: { admin: { host: 'notes', paths: ['/api/notes-admin'] } } };
    const dir = renderedCluster([notes, admin]);
    try {
      const names = routingNames('prod-eu-west');
      assert.deepEqual(capturedPaths('fixture', dir, clusterRouting(dir, names)), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
