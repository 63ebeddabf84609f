import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { organizationBucket } from '../lib/gateway/bucket';
import { formatFinding } from '../lib/findings';
import { ClusterView } from '../lib/validate/context';
import { checkTraffic } from '../lib/validate/rules/traffic';
import { bucketRegex, parseBucket, shownVersion } from '../lib/values/release';
import { GKE_PROD, GKE_STAGE } from './support/clusters';
import { baseValues, byName, renderValues, resolveValues } from './support/render';
import type { RenderedFile } from '../lib/pipeline';
import { REPO, runCli } from './support/fleet';
import { routeRequest } from './support/envoy-routing';
import { assertRoutingAgrees } from './support/routing-check';

/** Routing tests name versions by tag; prod's digest rule (FC-IMG-002) has tests of its own. */
const tagged = <T extends object>(values: T) => ({ ...values, waivers: { 'FC-IMG-002': 'routing tests name versions by tag; the digest rule is tested on its own' } });

const FILE = 'apps/patient-notes/values.ts';
/** Three live versions: oak-lodge held on 2026.11.2, 2026.11.3 the default, 2026.11.4 rolling out. */
const threeVersions = (rollout: Record<string, unknown> = { step: 1 }, extra: Record<string, unknown> = {}) => ({
  ...tagged(baseValues()),
  release: {
    versions: ['2026.11.2', '2026.11.3', '2026.11.4'],
    default: '2026.11.3',
    rollout: { version: '2026.11.4', ...rollout },
    orgs: { 'oak-lodge': '2026.11.2', 'st-marys': '2026.11.4' },
    users: { 'qa.lead@acme-care.example': '2026.11.4' },
    ...extra,
  },
});
const lines = (values: Record<string, unknown>) => resolveValues(values).findings.map(formatFinding);

describe('release: Deployments per version', () => {
  it('runs a Deployment per live version behind the one Service, selected by its version', () => {
    const docs = byName(renderValues(threeVersions()));
    for (const [id, version] of [['2026-11-2', '2026.11.2'], ['2026-11-3', '2026.11.3'], ['2026-11-4', '2026.11.4']]) {
      const deployment = docs.get(`Deployment/patient-notes-web-${id}`);
      assert.equal(deployment.spec.template.metadata.labels.version, version);
      assert.equal(deployment.spec.template.spec.containers[0].image, `europe-docker.pkg.dev/acme-care/apps/patient-notes:${version}`);
      assert.deepEqual(deployment.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'patient-notes', 'app.kubernetes.io/component': 'web', version });
    }
    assert.deepEqual(docs.get('Service/patient-notes-web').spec.selector, { 'app.kubernetes.io/name': 'patient-notes', 'app.kubernetes.io/component': 'web' });
    assert.deepEqual(docs.get('PodDisruptionBudget/patient-notes-web').spec.selector.matchLabels, { 'app.kubernetes.io/name': 'patient-notes', 'app.kubernetes.io/component': 'web' }, 'one budget across the versions');
  });

  it('sizes versions: the default and versions with pinned organizations in full, the rollout by its share, others at the floor', () => {
    const replicas = (values: Record<string, unknown>, cluster = GKE_PROD) =>
      Object.fromEntries(resolveValues(values, cluster).service!.processes[0].deployments.map((d) => [d.version, d.replicas]));
    const onlyUsers = { orgs: { 'oak-lodge': '2026.11.2' } };
    assert.deepEqual(replicas(threeVersions({ step: 0 }, onlyUsers)), { '2026.11.2': 3, '2026.11.3': 3, '2026.11.4': 2 });
    assert.deepEqual(replicas(threeVersions({ step: 3 }, onlyUsers)), { '2026.11.2': 3, '2026.11.3': 3, '2026.11.4': 2 });
    assert.deepEqual(replicas(threeVersions({ step: 4 }, onlyUsers)), { '2026.11.2': 3, '2026.11.3': 3, '2026.11.4': 3 });
    assert.deepEqual(replicas(threeVersions({ step: 4, rollback: true }, onlyUsers)), { '2026.11.2': 3, '2026.11.3': 3, '2026.11.4': 2 });
    assert.deepEqual(replicas(threeVersions({ step: 0 }, { orgs: {} }), GKE_STAGE), { '2026.11.2': 1, '2026.11.3': 3, '2026.11.4': 1 });
    assert.deepEqual(replicas(threeVersions({ step: 0 })), { '2026.11.2': 3, '2026.11.3': 3, '2026.11.4': 3 }, 'st-marys is pinned to the rollout version');
  });

  it('leaves helper processes with their own image outside the release', () => {
    const values = threeVersions();
    (values as any).processes.proxy = { image: 'docker.io/envoyproxy/envoy:v1.31.2', ports: [{ name: 'admin', port: 9901 }] };
    const docs = byName(renderValues(values));
    assert.deepEqual([...docs.keys()].filter((k) => k.startsWith('Deployment/patient-notes-proxy')), ['Deployment/patient-notes-proxy']);
    assert.equal(docs.get('DestinationRule/patient-notes-proxy').spec.subsets, undefined);
    assert.deepEqual(docs.get('VirtualService/patient-notes-proxy').spec.http.map((h: any) => h.route), [[{ destination: { host: 'patient-notes-proxy.patient-notes.svc.cluster.local' } }]]);
  });

  it('advances by step through the default steps', () => {
    const weights = [0, 1, 2, 3, 4].map((step) => resolveValues(threeVersions({ step })).service!.traffic.release.rollout!.weight);
    assert.deepEqual(weights, [5, 15, 25, 50, 100]);
    assert.equal(resolveValues(threeVersions({ step: 1, steps: [10, 30, 100] })).service!.traffic.release.rollout!.weight, 30);
  });
});

describe('release: routing rules', () => {
  const rules = (values: Record<string, unknown>) => resolveValues(values).service!.traffic.rules.map((r) => r.description);

  it('sends everyone to the default without a rollout', () => {
    assert.deepEqual(rules(baseValues()), ['everyone → 2026.11.3 (default)']);
  });

  it('evaluates pinned users, pinned and held organizations, the rollout buckets, then the default', () => {
    assert.deepEqual(rules(threeVersions()), [
      'users qa.lead@acme-care.example → 2026.11.4 (pinned user)',
      'orgs oak-lodge → 2026.11.2 (held)',
      'orgs st-marys → 2026.11.4 (pinned)',
      'org buckets 0–14 → 2026.11.4 (rollout step 1 of [5, 15, 25, 50, 100]: 15%)',
      'everyone else → 2026.11.3 (default)',
    ]);
  });

  it('under rollback sends every organization that is not pinned to the default, and keeps the pins', () => {
    assert.deepEqual(rules(threeVersions({ step: 3, rollback: true })).slice(-2), ['orgs st-marys → 2026.11.4 (pinned)', 'everyone else → 2026.11.3 (default; rollback of 2026.11.4)']);
    assert.deepEqual(rules(threeVersions({ weight: 0 })).slice(-1), ['everyone else → 2026.11.3 (default; 2026.11.4 at 0%)']);
  });

  it('selects exactly the buckets below the weight, for every weight, with any leading zeros', () => {
    for (let weight = 1; weight <= 100; weight++) {
      const regex = new RegExp(bucketRegex(weight));
      for (let bucket = 0; bucket <= 99; bucket++) {
        for (const written of [String(bucket), `0${bucket}`, `00${bucket}`]) assert.equal(regex.test(written), bucket < weight, `weight ${weight}, bucket '${written}'`);
      }
      for (const junk of ['100', '0100', '-1', '1e1', '', ' 5', 'x']) assert.equal(regex.test(junk), false, `weight ${weight}, '${junk}'`);
    }
  });

  it('reads a bucket header exactly as the regexes do', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => String(i)).flatMap((n) => [n, `0${n}`]);
    for (const weight of [1, 5, 15, 50, 100]) {
      const regex = new RegExp(bucketRegex(weight));
      for (const value of values) assert.equal(regex.test(value), (parseBucket(value) ?? 100) < weight, value);
    }
  });
});

describe('traffic: rendered mesh objects', () => {
  const file = renderValues(threeVersions());
  const docs = byName(file);

  it('defines a subset per live version, selected by the version label, and orders the DestinationRule before the VirtualServices', () => {
    const kinds = file.documents.map((d) => d.kind);
    assert.ok(kinds.indexOf('DestinationRule') < kinds.indexOf('VirtualService'));
    const dr = docs.get('DestinationRule/patient-notes-web');
    assert.equal(dr.apiVersion, 'networking.istio.io/v1');
    assert.deepEqual(dr.spec.subsets, [
      { name: '2026-11-2', labels: { version: '2026.11.2' } },
      { name: '2026-11-3', labels: { version: '2026.11.3' } },
      { name: '2026-11-4', labels: { version: '2026.11.4' } },
    ]);
  });

  it('sets connection pool and outlier detection defaults', () => {
    const policy = docs.get('DestinationRule/patient-notes-web').spec.trafficPolicy;
    assert.deepEqual(policy.outlierDetection, { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 });
    assert.deepEqual(policy.connectionPool.tcp, { maxConnections: 1024, connectTimeout: '2s' });
  });

  it('routes in-cluster callers through a mesh VirtualService with the same rules, by header only, one destination each', () => {
    const vs = docs.get('VirtualService/patient-notes-web');
    assert.equal(vs.apiVersion, 'networking.istio.io/v1');
    assert.deepEqual(vs.spec.gateways, ['mesh']);
    assert.deepEqual(vs.spec.hosts, ['patient-notes-web.patient-notes.svc.cluster.local']);
    assert.deepEqual(vs.spec.http.map((h: any) => h.name), ['users-2026-11-4', 'orgs-2026-11-2', 'orgs-2026-11-4', 'rollout', 'default']);
    assert.deepEqual(vs.spec.http[1].match, [{ headers: { 'x-care-org': { exact: 'oak-lodge' } } }]);
    assert.deepEqual(vs.spec.http.at(-1).route, [{ destination: { host: 'patient-notes-web.patient-notes.svc.cluster.local', subset: '2026-11-3' } }]);
    assert.equal(vs.spec.http.at(-1).match, undefined);
  });

  it('sends a mesh call to a process with several ports to the port called, each port with the same rules', () => {
    // A destination without a port is ambiguous for a Service with several ports (Istio's analyzer:
    // IST0112, an error); istiod keeps a route with a port match only on that listener port.
    const values = threeVersions();
    const web = { ...(baseValues() as any).processes.web, ports: [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9000 }, { name: 'metrics', port: 9090 }] };
    const multi = renderValues({ ...values, processes: { web } });
    const vs = byName(multi).get('VirtualService/patient-notes-web');
    for (const route of vs.spec.http) assert.ok(route.route.every((r: any) => typeof r.destination.port?.number === 'number'), `${route.name} names a port`);
    for (const port of [8080, 9000, 9090]) {
      const org = (org: string) => routeRequest(vs, { path: '/', headers: { 'x-care-org': org }, port })!.destinations[0];
      assert.deepEqual(org('oak-lodge'), { host: 'patient-notes-web.patient-notes.svc.cluster.local', subset: '2026-11-2', port, weight: 100 });
      assert.deepEqual(org('st-marys'), { host: 'patient-notes-web.patient-notes.svc.cluster.local', subset: '2026-11-4', port, weight: 100 });
    }
    assert.ok(assertRoutingAgrees(multi) > 0);
  });

  it('gives a worker no VirtualService and no DestinationRule', () => {
    const values = { ...tagged(baseValues()), processes: { worker: { command: ['run'] } } };
    const kinds = renderValues(values).documents.map((d) => d.kind);
    assert.ok(!kinds.includes('VirtualService'));
    assert.ok(!kinds.includes('DestinationRule'));
  });
});

describe('traffic: external routes', () => {
  const values = {
    ...tagged(baseValues()),
    routes: {
      api: { host: 'notes', paths: ['/api/notes', '/api/attachments'], timeout: '10s', retries: { attempts: 3, perTryTimeout: '2s' }, cors: { allowOrigins: ['https://app.care.example.com'] } },
      partner: { host: 'partner.example.org', retries: { attempts: 0 } },
    },
  };
  const docs = byName(renderValues(values));

  it('binds each route to the ingress gateway with the base domain appended to relative hosts', () => {
    const vs = docs.get('VirtualService/patient-notes-ingress-api');
    assert.deepEqual(vs.spec.gateways, ['istio-ingress/care-gateway']);
    assert.deepEqual(vs.spec.hosts, ['notes.care.example.com']);
    assert.deepEqual(docs.get('VirtualService/patient-notes-ingress-partner').spec.hosts, ['partner.example.org']);
  });

  it('matches the path prefixes and applies timeout, retries and CORS', () => {
    const http = docs.get('VirtualService/patient-notes-ingress-api').spec.http[0];
    assert.deepEqual(http.match, [{ uri: { exact: '/api/notes' } }, { uri: { prefix: '/api/notes/' } }, { uri: { exact: '/api/attachments' } }, { uri: { prefix: '/api/attachments/' } }]);
    assert.equal(http.timeout, '10s');
    assert.deepEqual(http.retries, { attempts: 3, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream' });
    assert.deepEqual(http.corsPolicy, { allowOrigins: [{ exact: 'https://app.care.example.com' }], allowMethods: ['GET', 'POST'] });
    assert.deepEqual(http.route, [{ destination: { host: 'patient-notes-web.patient-notes.svc.cluster.local', port: { number: 8080 }, subset: '2026-11-3' } }]);
  });

  it('uses safe defaults: path /, 15s, two retries on connection failures only, no CORS', () => {
    const http = docs.get('VirtualService/patient-notes-ingress-partner').spec.http[0];
    assert.deepEqual(http.match, [{ uri: { prefix: '/' } }]);
    assert.equal(http.timeout, '15s');
    assert.deepEqual(http.retries, { attempts: 0 });
    assert.equal(http.corsPolicy, undefined);
  });
});

describe('traffic: who may call', () => {
  const values = { ...tagged(baseValues()), routes: { api: { host: 'notes' } }, callers: { services: ['fhir-gateway'] }, processes: { web: { ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }], replicas: 3 } } };
  const docs = byName(renderValues(values));

  it('requires mutual TLS in the namespace on every port, metrics ports included (Prometheus scrapes with Istio certificates)', () => {
    assert.deepEqual(docs.get('PeerAuthentication/default').spec, { mtls: { mode: 'STRICT' } });
    assert.deepEqual([...docs.keys()].filter((k) => k.startsWith('PeerAuthentication/')), ['PeerAuthentication/default']);
  });

  // A consented caller that declares no call gets nothing (test/calls.test.ts covers calls).
  it('allows the service itself, and the gateway only on the ports and paths of its routes, by workload identity', () => {
    const policy = docs.get('AuthorizationPolicy/allow-callers');
    assert.equal(policy.apiVersion, 'security.istio.io/v1');
    assert.equal(policy.spec.action, 'ALLOW');
    assert.deepEqual(policy.spec.rules, [
      { from: [{ source: { principals: ['cluster.local/ns/patient-notes/sa/patient-notes'] } }] },
      { from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/istio-ingressgateway'] } }], to: [{ operation: { ports: ['8080'], paths: ['/*'] } }] },
      { from: [{ source: { principals: ['cluster.local/ns/monitoring/sa/prometheus'] } }], to: [{ operation: { ports: ['9090'] } }] },
    ]);
  });

  it('denies ingress by default and allows the own namespace, the gateway on route ports and Prometheus on the metrics and Envoy stats ports', () => {
    assert.deepEqual(docs.get('NetworkPolicy/default-deny-ingress').spec, { podSelector: {}, policyTypes: ['Ingress'] });
    const allow = docs.get('NetworkPolicy/allow-callers').spec;
    assert.deepEqual(allow.ingress[0], { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'patient-notes' } } }] });
    assert.deepEqual(allow.ingress[1], { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-ingress' } } }], ports: [{ protocol: 'TCP', port: 8080 }] });
    assert.deepEqual(allow.ingress[2], { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 9090 }, { protocol: 'TCP', port: 15090 }] });
  });

  it('denies egress by default, keeping DNS, the mesh control plane and the own namespace', () => {
    assert.deepEqual(docs.get('NetworkPolicy/restrict-egress').spec.egress.slice(2), [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'patient-notes' } } }] }]);
    const egress = byName(renderValues({ ...values, egress: { cidrs: [{ cidr: '10.40.0.0/16', ports: [443] }] } })).get('NetworkPolicy/restrict-egress').spec;
    assert.deepEqual(egress.policyTypes, ['Egress']);
    assert.deepEqual(egress.egress[0], {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    });
    assert.deepEqual(egress.egress.at(-1), { to: [{ ipBlock: { cidr: '10.40.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] });
  });

  it('does not let the gateway call a service without routes unless asked', () => {
    const principals = resolveValues(baseValues()).service!.traffic.principals;
    assert.deepEqual(principals, ['cluster.local/ns/patient-notes/sa/patient-notes']);
  });
});

describe('traffic checks: values', () => {
  it('FC-RELEASE-001: a default or rollout version that is not live, or a rollout of the default', () => {
    assert.deepEqual(lines({ ...tagged(baseValues()), release: { versions: ['1.0.0'], default: '1.0.1' } }), [
      `${FILE}: release.default: expected one of release.versions ('1.0.0'), got '1.0.1'; add it to versions [FC-RELEASE-001] (cluster prod-eu-west)`,
    ]);
    assert.deepEqual(lines({ ...tagged(baseValues()), release: { default: '1.0.0', rollout: { version: '1.0.0', step: 0 } } }), [
      `${FILE}: release.rollout.version: expected a version other than the default '1.0.0'; to promote it, set default and remove rollout [FC-RELEASE-001] (cluster prod-eu-west)`,
    ]);
  });

  it('FC-RELEASE-002: a step outside the steps', () => {
    assert.deepEqual(lines(threeVersions({ step: 5 })), [`${FILE}: release.rollout.step: expected an index into steps [5, 15, 25, 50, 100] (0–4), got 5 [FC-RELEASE-002] (cluster prod-eu-west)`]);
  });

  it('FC-RELEASE-003: removing a version organizations or users are still pinned to names them', () => {
    assert.deepEqual(lines(threeVersions({ step: 1 }, { versions: ['2026.11.3', '2026.11.4'] })), [
      `${FILE}: release.versions: expected '2026.11.2' to stay a live version while organization oak-lodge (release.orgs) is pinned to it, found it missing; keep it live: versions: ['2026.11.3', '2026.11.4', '2026.11.2'] until they are moved [FC-RELEASE-003] (cluster prod-eu-west)`,
    ]);
  });

  it('FC-RELEASE-004: both weight and step', () => {
    assert.deepEqual(lines(threeVersions({ weight: 5, step: 0 })), [`${FILE}: release.rollout.step: expected either weight or step, got both (weight 5, step 0); keep one [FC-RELEASE-004] (cluster prod-eu-west)`]);
  });

  it('FC-RELEASE-005: versions that become the same name', () => {
    assert.deepEqual(lines({ ...tagged(baseValues()), release: { versions: ['1.0.0', '1-0-0'], default: '1.0.0' } }), [
      `${FILE}: release.versions[1]: expected versions that stay distinct as Kubernetes names and labels, got '1-0-0' and '1.0.0', which both become '1-0-0'; retag one of them [FC-RELEASE-005] (cluster prod-eu-west)`,
    ]);
  });

  it('FC-RELEASE-006: followRollout on a process routed by organization', () => {
    const values = { ...tagged(baseValues()), processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 3, followRollout: true } } };
    assert.deepEqual(lines(values), [
      `${FILE}: processes.web.followRollout: expected followRollout only on a process that cannot be routed by organization (no ports, or a tcp/tls port), got it on a process whose HTTP requests are routed by organization: it runs every live version already; remove it [FC-RELEASE-006] (cluster prod-eu-west)`,
    ]);
  });

  it('FC-ROUTE-005: a route to a process that does not serve HTTP', () => {
    const values = { ...tagged(baseValues()), processes: { web: { ports: [{ name: 'http', port: 8080 }] }, worker: { command: ['run'], probes: { live: { command: ['run', 'healthcheck'] } } } }, routes: { jobs: { host: 'jobs', process: 'worker' } } };
    assert.deepEqual(lines(values), [`${FILE}: routes.jobs.process: expected a process that serves HTTP ('web'), got 'worker' [FC-ROUTE-005] (cluster prod-eu-west)`]);
    const twoWeb = { ...tagged(baseValues()), processes: { web: { ports: [{ name: 'http', port: 8080 }] }, admin: { ports: [{ name: 'http', port: 8081 }] } }, routes: { api: { host: 'api' } } };
    assert.deepEqual(lines(twoWeb), [`${FILE}: routes.api.process: required when several processes serve HTTP ('admin', 'web'); name the one that serves this route [FC-ROUTE-005] (cluster prod-eu-west)`]);
  });
});

/** Checks over a cluster's documents, with the documents tampered where a test needs it. */
function clusterFindings(files: RenderedFile[]): string[] {
  const view = new ClusterView(GKE_PROD, files);
  checkTraffic(view);
  return view.findings.map(formatFinding);
}

describe('traffic checks: documents of a cluster', () => {
  it('passes every example-like service', () => {
    assert.deepEqual(clusterFindings([renderValues(threeVersions())]), []);
  });

  it('FC-ROUTE-001: weights that do not sum to 100', () => {
    const file = renderValues(threeVersions());
    const vs = file.documents.find((d) => d.kind === 'VirtualService') as any;
    vs.spec.http.at(-1).route[0].weight = 90;
    assert.deepEqual(clusterFindings([file]), [`${FILE}: processes.web: VirtualService patient-notes-web http[4] (default): expected destination weights that sum to 100, got 90 = 90 [FC-ROUTE-001] (cluster prod-eu-west)`]);
  });

  it('FC-ROUTE-002: a route to a subset without pods', () => {
    const file = renderValues(threeVersions());
    (file as any).documents = file.documents.filter((d) => d.metadata.name !== 'patient-notes-web-2026-11-4');
    assert.deepEqual(clusterFindings([file]), ['users-2026-11-4', 'orgs-2026-11-4', 'rollout'].map((name, i) =>
      `${FILE}: processes.web: VirtualService patient-notes-web http[${[0, 2, 3][i]}] (${name}): expected a Deployment running pods for subset '2026-11-4' of patient-notes-web.patient-notes.svc.cluster.local, found none; no request may be routed where no pod can answer [FC-ROUTE-002] (cluster prod-eu-west)`));
  });

  it('FC-ROUTE-003: two services claiming the same host and path, naming both files', () => {
    const a = renderValues({ ...tagged(baseValues('notes-a')), routes: { api: { host: 'notes', paths: ['/api'] } } });
    const b = renderValues({ ...tagged(baseValues('notes-b')), routes: { web: { host: 'notes', paths: ['/api/', '/ui'] } } });
    assert.deepEqual(clusterFindings([a, b]), [
      `apps/notes-a/values.ts: routes.api.paths: expected a host and path prefix no other service claims, got notes.care.example.com/api, which is also claimed by apps/notes-b/values.ts (routes.web); choose another host or path [FC-ROUTE-003] (cluster prod-eu-west)`,
      `apps/notes-b/values.ts: routes.web.paths: expected a host and path prefix no other service claims, got notes.care.example.com/api/, which is also claimed by apps/notes-a/values.ts (routes.api); choose another host or path [FC-ROUTE-003] (cluster prod-eu-west)`,
    ]);
    const nested = renderValues({ ...tagged(baseValues('notes-c')), routes: { all: { host: 'notes' } } });
    assert.match(clusterFindings([a, nested])[0], /got notes\.care\.example\.com\/api, which overlaps notes\.care\.example\.com\/ by apps\/notes-c\/values\.ts/);
  });

  it('FC-ROUTE-004: a caller that does not run on the cluster', () => {
    const file = renderValues({ ...tagged(baseValues()), callers: { services: ['fhir-gatewey'] } });
    assert.deepEqual(clusterFindings([file]), [
      `${FILE}: callers.services: expected services that run on cluster prod-eu-west, got 'fhir-gatewey', which does not; known: patient-notes [FC-ROUTE-004] (cluster prod-eu-west)`,
    ]);
  });

  it('FC-NET-001: an egress restriction that cuts DNS', () => {
    const file = renderValues({ ...tagged(baseValues()), egress: { namespaces: ['pharmacy'] } });
    const policy = file.documents.find((d) => d.metadata.name === 'restrict-egress') as any;
    policy.spec.egress.shift();
    assert.deepEqual(clusterFindings([file]), [`${FILE}: egress: NetworkPolicy restrict-egress: expected egress to kube-system on port 53 (UDP and TCP), found none; every name lookup would fail [FC-NET-001] (cluster prod-eu-west)`]);
  });

  it('stage clusters get the same routing', () => {
    assert.deepEqual(renderValues(threeVersions(), GKE_STAGE).documents.filter((d) => d.kind === 'VirtualService').length, 1);
  });
});

describe('fleetchart routes', () => {
  it('prints the live versions, then per host and path the rules in order, then what unroutable processes run', async () => {
    const result = await runCli(REPO, ['routes', '--cluster', 'prod-eu-west', '--app', 'patient-notes']);
    assert.equal(result.code, 0);
    const rules = [
      '      1. users qa.lead@acme-care.example → 2026.11.4 (pinned user)',
      '      2. orgs oak-lodge → 2026.11.2 (held)',
      '      3. orgs st-marys → 2026.11.4 (pinned)',
      '      4. org buckets 0–14 → 2026.11.4 (rollout step 1 of [5, 15, 25, 50, 100]: 15%)',
      '      5. everyone else → 2026.11.3 (default)',
    ];
    assert.deepEqual(result.out, [
      'cluster prod-eu-west',
      '  patient-notes   [apps/patient-notes/values.ts]',
      '    versions: 2026.11.2 held (orgs oak-lodge); 2026.11.3 default; 2026.11.4 rollout (orgs st-marys, users qa.lead@acme-care.example)',
      '    notes.eu-west.care.example.com/api/notes  (gateway) → patient-notes-web.patient-notes.svc.cluster.local:8080',
      ...rules,
      '    patient-notes-web.patient-notes.svc.cluster.local  (mesh) → patient-notes-web',
      ...rules,
      "    indexer  (not routed) → runs only the default 2026.11.3 (2 pods): cannot be routed by organization (no ports), so every organization's work goes to the default; followRollout: true would run the rollout version beside it",
    ]);
  });

  it('answers --org on every cluster: the version on each route and why', async () => {
    const held = await runCli(REPO, ['routes', '--org', 'oak-lodge', '--app', 'patient-notes', '--cluster', 'prod-eu-west']);
    assert.deepEqual(held.out, [
      `versions for organization oak-lodge (bucket ${organizationBucket('oak-lodge')})`,
      '',
      'cluster prod-eu-west',
      '  notes.eu-west.care.example.com/api/notes  (gateway) → 2026.11.2: organization oak-lodge is held on 2026.11.2 (release.orgs)',
      '  patient-notes-web.patient-notes.svc.cluster.local  (mesh) → 2026.11.2: organization oak-lodge is held on 2026.11.2 (release.orgs)',
      "  indexer  (not routed) → 2026.11.3: runs only the default 2026.11.3 (2 pods): cannot be routed by organization (no ports), so every organization's work goes to the default; followRollout: true would run the rollout version beside it",
    ]);
    // Without --bucket, the organization's bucket is the gateway's hash of its id.
    const gatewayBucket = await runCli(REPO, ['routes', '--org', 'new-org', '--app', 'patient-notes', '--cluster', 'stage-eu', '--json']);
    const expected = organizationBucket('new-org') < 15 ? ['2026.11.4', 'bucket'] : ['2026.11.3', 'default'];
    assert.deepEqual(JSON.parse(gatewayBucket.out.join('\n')).slice(0, 2).map((r: any) => [shownVersion(r.version), r.reason]), [expected, expected]);
    const bucket = await runCli(REPO, ['routes', '--org', 'new-org', '--bucket', '07', '--app', 'patient-notes', '--cluster', 'stage-eu', '--json']);
    const rows = JSON.parse(bucket.out.join('\n'));
    assert.deepEqual(rows.map((r: any) => [r.via, shownVersion(r.version), r.reason]), [['gateway', '2026.11.4', 'bucket'], ['mesh', '2026.11.4', 'bucket'], ['none', '2026.11.3', 'default-only']]);
    const user = await runCli(REPO, ['routes', '--org', 'oak-lodge', '--user', 'qa.lead@acme-care.example', '--app', 'patient-notes', '--cluster', 'stage-eu', '--json']);
    assert.deepEqual(JSON.parse(user.out.join('\n')).map((r: any) => r.reason), ['pinned-user', 'pinned-user', 'default-only']);
  });

  it('refuses a bucket that is not one', async () => {
    const result = await runCli(REPO, ['routes', '--org', 'x', '--bucket', '100']);
    assert.equal(result.code, 2);
    assert.deepEqual(result.err, [`fleetchart routes: --bucket: expected an organization bucket 0–99, got '100'`]);
  });

  it('prints the same as JSON for tools', async () => {
    const rows = JSON.parse((await runCli(REPO, ['routes', '--json', '--app', 'resident-preferences', '--cluster', 'stage-eu'])).out.join('\n'));
    // JSON carries the version as it runs (tag@digest); people read the tag.
    assert.deepEqual(rows[0].versions.map((v: any) => ({ ...v, version: shownVersion(v.version) })), [{ version: '1.14.2', role: 'default', orgs: [], users: [] }]);
    const route = rows[0].routes[0];
    assert.deepEqual({ ...route, rules: route.rules.map((r: any) => ({ ...r, version: shownVersion(r.version) })) }, {
      cluster: 'stage-eu',
      service: 'resident-preferences',
      file: 'apps/resident-preferences/values.ts',
      host: 'preferences.stage.care.example.com',
      path: '/',
      via: 'gateway',
      destination: 'resident-preferences-web.resident-preferences.svc.cluster.local:3000',
      process: 'web',
      rules: [{ name: 'default', rule: 'everyone → 1.14.2 (default)', version: '1.14.2' }],
    });
  });
});
