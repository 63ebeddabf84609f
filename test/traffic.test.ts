import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFinding } from '../lib/findings';
import { ClusterView } from '../lib/validate/context';
import { checkTraffic } from '../lib/validate/rules/traffic';
import { bucketRegex, canaryReplicas } from '../lib/values/traffic';
import { GKE_PROD, GKE_STAGE } from './support/clusters';
import { baseValues, byName, renderValues, resolveValues } from './support/render';
import type { RenderedFile } from '../lib/pipeline';
import { REPO, runCli } from './support/fleet';

const FILE = 'apps/patient-notes/values.ts';
const withCanary = (canary: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...baseValues(),
  release: { stable: '2026.11.3@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9', canary: { version: '2026.11.4@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9', ...canary }, ...extra },
});
const lines = (values: Record<string, unknown>) => resolveValues(values).findings.map(formatFinding);

describe('canary: tracks', () => {
  it('runs a canary Deployment per process beside stable, behind the same Service', () => {
    const docs = byName(renderValues(withCanary({ weight: 25 })));
    const stable = docs.get('Deployment/patient-notes-web');
    const canary = docs.get('Deployment/patient-notes-web-canary');
    assert.equal(stable.spec.template.metadata.labels.track, 'stable');
    assert.equal(canary.spec.template.metadata.labels.track, 'canary');
    assert.equal(canary.spec.template.metadata.labels.version, '2026.11.4');
    assert.equal(canary.spec.template.spec.containers[0].image, 'europe-docker.pkg.dev/acme-care/apps/patient-notes:2026.11.4@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9');
    assert.deepEqual(canary.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'patient-notes', 'app.kubernetes.io/component': 'web', track: 'canary' });
    assert.deepEqual(docs.get('Service/patient-notes-web').spec.selector, { 'app.kubernetes.io/name': 'patient-notes', 'app.kubernetes.io/component': 'web' });
    assert.deepEqual(docs.get('PodDisruptionBudget/patient-notes-web').spec.selector.matchLabels, { 'app.kubernetes.io/name': 'patient-notes', 'app.kubernetes.io/component': 'web' }, 'one budget across both tracks');
  });

  it('sizes the canary for its share, never below 2 serving pods in prod, never above stable', () => {
    assert.equal(canaryReplicas(3, 5, true), 2);
    assert.equal(canaryReplicas(10, 50, true), 5);
    assert.equal(canaryReplicas(3, 100, true), 3);
    assert.equal(canaryReplicas(4, 0, false), 1);
    assert.equal(canaryReplicas(1, 100, true), 1);
    assert.equal(byName(renderValues(withCanary({ weight: 50 }))).get('Deployment/patient-notes-web-canary').spec.replicas, 2);
  });

  it('leaves helper processes with their own image out of the canary', () => {
    const values = withCanary({ weight: 5 });
    (values as any).processes.proxy = { image: 'docker.io/envoyproxy/envoy:v1.31.2@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9', ports: [{ name: 'admin', port: 9901 }] };
    const docs = byName(renderValues(values));
    assert.ok(docs.has('Deployment/patient-notes-proxy'));
    assert.ok(!docs.has('Deployment/patient-notes-proxy-canary'));
  });

  it('advances by step through the default steps', () => {
    const weights = [0, 1, 2, 3, 4].map((step) => resolveValues(withCanary({ step })).service!.traffic.canary!.weight);
    assert.deepEqual(weights, [5, 15, 25, 50, 100]);
    assert.equal(resolveValues(withCanary({ step: 1, steps: [10, 30, 100] })).service!.traffic.canary!.weight, 30);
  });
});

describe('canary: routing stages', () => {
  const stages = (values: Record<string, unknown>) => resolveValues(values).service!.traffic.stages.map((s) => s.description);

  it('sends everything to stable without a canary', () => {
    assert.deepEqual(stages(baseValues()), ['all requests → stable']);
  });

  it('evaluates held organizations, pinned organizations, pinned users, then buckets, then the weighted split', () => {
    assert.deepEqual(stages(withCanary({ weight: 15, orgs: ['st-marys'], users: ['qa.lead@acme-care.example'] }, { holdOrgs: ['oak-lodge'] })), [
      'orgs oak-lodge (held) → stable',
      'orgs st-marys → canary',
      'users qa.lead@acme-care.example → canary',
      'org buckets 0–14 → canary',
      'org buckets 15–99 → stable',
      'other requests → 85% stable, 15% canary',
    ]);
  });

  it('at weight 0 (the rollback) routes all unpinned traffic to stable and none to the canary', () => {
    const traffic = resolveValues(withCanary({ weight: 0, orgs: ['st-marys'] })).service!.traffic;
    assert.deepEqual(traffic.stages.at(-1)!.destinations, [{ track: 'stable', weight: 100 }]);
    assert.deepEqual(traffic.stages.map((s) => s.name), ['canary-orgs', 'weighted']);
  });

  it('at 100% keeps held organizations on stable', () => {
    assert.deepEqual(stages(withCanary({ weight: 100 }, { holdOrgs: ['oak-lodge'] })), ['orgs oak-lodge (held) → stable', 'other requests → 100% canary']);
  });

  it('selects exactly the buckets below the weight, for every weight', () => {
    for (let weight = 1; weight <= 99; weight++) {
      const regex = new RegExp(bucketRegex(weight));
      for (let bucket = 0; bucket <= 99; bucket++) assert.equal(regex.test(String(bucket)), bucket < weight, `weight ${weight}, bucket ${bucket}`);
      assert.equal(regex.test('007'), false);
    }
  });
});

describe('traffic: rendered mesh objects', () => {
  const file = renderValues(withCanary({ weight: 15, orgs: ['st-marys'] }, { holdOrgs: ['oak-lodge'] }));
  const docs = byName(file);

  it('defines both subsets always and orders the DestinationRule before the VirtualServices', () => {
    const kinds = file.documents.map((d) => d.kind);
    assert.ok(kinds.indexOf('DestinationRule') < kinds.indexOf('VirtualService'));
    const dr = docs.get('DestinationRule/patient-notes-web');
    assert.equal(dr.apiVersion, 'networking.istio.io/v1');
    assert.deepEqual(dr.spec.subsets, [{ name: 'stable', labels: { track: 'stable' } }, { name: 'canary', labels: { track: 'canary' } }]);
    const withoutCanary = byName(renderValues(baseValues())).get('DestinationRule/patient-notes-web');
    assert.deepEqual(withoutCanary.spec.subsets, dr.spec.subsets, 'removing a canary removes its routes, never its subset');
  });

  it('sets connection pool and outlier detection defaults', () => {
    const policy = docs.get('DestinationRule/patient-notes-web').spec.trafficPolicy;
    assert.deepEqual(policy.outlierDetection, { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 });
    assert.deepEqual(policy.connectionPool.tcp, { maxConnections: 1024, connectTimeout: '2s' });
  });

  it('routes in-cluster callers through a mesh VirtualService with the same stages', () => {
    const vs = docs.get('VirtualService/patient-notes-web');
    assert.equal(vs.apiVersion, 'networking.istio.io/v1');
    assert.deepEqual(vs.spec.gateways, ['mesh']);
    assert.deepEqual(vs.spec.hosts, ['patient-notes-web.patient-notes.svc.cluster.local']);
    assert.deepEqual(vs.spec.http.map((h: any) => h.name), ['hold-orgs', 'canary-orgs', 'canary-buckets', 'stable-buckets', 'weighted']);
    assert.deepEqual(vs.spec.http[1].match, [
      { headers: { 'x-care-org': { regex: '^(st-marys)$' } } },
      { headers: { cookie: { regex: '^(.*;\\s*)?care_org=(st-marys)(;.*)?$' } }, withoutHeaders: { 'x-care-org': { regex: '.*' } } },
    ]);
    assert.deepEqual(vs.spec.http.at(-1).route, [
      { destination: { host: 'patient-notes-web.patient-notes.svc.cluster.local', subset: 'stable' }, weight: 85 },
      { destination: { host: 'patient-notes-web.patient-notes.svc.cluster.local', subset: 'canary' }, weight: 15 },
    ]);
    assert.equal(vs.spec.http.at(-1).match, undefined);
  });

  it('gives a worker no VirtualService and no DestinationRule', () => {
    const values = { ...baseValues(), processes: { worker: { command: ['run'] } } };
    const kinds = renderValues(values).documents.map((d) => d.kind);
    assert.ok(!kinds.includes('VirtualService'));
    assert.ok(!kinds.includes('DestinationRule'));
  });
});

describe('traffic: external routes', () => {
  const values = {
    ...baseValues(),
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
    assert.deepEqual(http.match, [{ uri: { prefix: '/api/notes' } }, { uri: { prefix: '/api/attachments' } }]);
    assert.equal(http.timeout, '10s');
    assert.deepEqual(http.retries, { attempts: 3, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream' });
    assert.deepEqual(http.corsPolicy, { allowOrigins: [{ exact: 'https://app.care.example.com' }], allowMethods: ['GET', 'POST'] });
    assert.deepEqual(http.route, [{ destination: { host: 'patient-notes-web.patient-notes.svc.cluster.local', port: { number: 8080 }, subset: 'stable' }, weight: 100 }]);
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
  const values = { ...baseValues(), routes: { api: { host: 'notes' } }, callers: { services: ['fhir-gateway'] }, processes: { web: { ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }], replicas: 3 } } };
  const docs = byName(renderValues(values));

  it('requires mutual TLS in the namespace, with metrics left plain for Prometheus', () => {
    assert.deepEqual(docs.get('PeerAuthentication/default').spec, { mtls: { mode: 'STRICT' } });
    assert.deepEqual(docs.get('PeerAuthentication/patient-notes-web-metrics').spec.portLevelMtls, { '9090': { mode: 'PERMISSIVE' } });
  });

  it('allows only the service itself, its callers and the gateway by workload identity', () => {
    const policy = docs.get('AuthorizationPolicy/allow-callers');
    assert.equal(policy.apiVersion, 'security.istio.io/v1');
    assert.equal(policy.spec.action, 'ALLOW');
    assert.deepEqual(policy.spec.rules, [
      { from: [{ source: { principals: ['cluster.local/ns/fhir-gateway/sa/fhir-gateway', 'cluster.local/ns/istio-ingress/sa/istio-ingressgateway', 'cluster.local/ns/patient-notes/sa/patient-notes'] } }] },
      { from: [{ source: { namespaces: ['monitoring'] } }], to: [{ operation: { ports: ['9090'] } }] },
    ]);
  });

  it('denies ingress by default and allows the callers, the gateway and Prometheus on the metrics port', () => {
    assert.deepEqual(docs.get('NetworkPolicy/default-deny-ingress').spec, { podSelector: {}, policyTypes: ['Ingress'] });
    const allow = docs.get('NetworkPolicy/allow-callers').spec;
    assert.deepEqual(allow.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']), ['fhir-gateway', 'istio-ingress', 'patient-notes']);
    assert.deepEqual(allow.ingress[1], { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 9090 }] });
  });

  it('keeps egress open unless restricted, and a restriction keeps DNS and the mesh control plane', () => {
    assert.ok(!docs.has('NetworkPolicy/restrict-egress'));
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
  it('FC-CANARY-001: traffic to a canary without a version', () => {
    assert.deepEqual(lines({ ...baseValues(), release: { stable: '1.0.0@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9', canary: { weight: 10 } } }), [
      `${FILE}: release.canary.version: required when the canary receives traffic (weight 10, 0 pinned): set release.canary.version, or remove release.canary to roll back [FC-CANARY-001] (cluster prod-eu-west)`,
    ]);
  });

  it('FC-CANARY-002: a step outside the steps', () => {
    assert.deepEqual(lines(withCanary({ step: 5 })), [`${FILE}: release.canary.step: expected an index into steps [5, 15, 25, 50, 100] (0–4), got 5 [FC-CANARY-002] (cluster prod-eu-west)`]);
  });

  it('FC-CANARY-003: an organization both pinned and held', () => {
    assert.deepEqual(lines(withCanary({ weight: 5, orgs: ['oak-lodge'] }, { holdOrgs: ['oak-lodge'] })), [
      `${FILE}: release.canary.orgs: expected 'oak-lodge' in either release.canary.orgs or release.holdOrgs, got both; an organization cannot be pinned to canary and held on stable [FC-CANARY-003] (cluster prod-eu-west)`,
    ]);
  });

  it('FC-CANARY-004: both weight and step', () => {
    assert.deepEqual(lines(withCanary({ weight: 5, step: 0 })), [`${FILE}: release.canary.step: expected either weight or step, got both (weight 5, step 0); keep one [FC-CANARY-004] (cluster prod-eu-west)`]);
  });

  it('FC-ROUTE-005: a route to a process that does not serve HTTP', () => {
    const values = { ...baseValues(), processes: { web: { ports: [{ name: 'http', port: 8080 }] }, worker: { command: ['run'] } }, routes: { jobs: { host: 'jobs', process: 'worker' } } };
    assert.deepEqual(lines(values), [`${FILE}: routes.jobs.process: expected a process that serves HTTP ('web'), got 'worker' [FC-ROUTE-005] (cluster prod-eu-west)`]);
    const twoWeb = { ...baseValues(), processes: { web: { ports: [{ name: 'http', port: 8080 }] }, admin: { ports: [{ name: 'http', port: 8081 }] } }, routes: { api: { host: 'api' } } };
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
    assert.deepEqual(clusterFindings([renderValues(withCanary({ weight: 15, orgs: ['st-marys'] }, { holdOrgs: ['oak-lodge'] }))]), []);
  });

  it('FC-ROUTE-001: weights that do not sum to 100', () => {
    const file = renderValues(withCanary({ weight: 15 }));
    const vs = file.documents.find((d) => d.kind === 'VirtualService') as any;
    vs.spec.http.at(-1).route[1].weight = 10;
    assert.deepEqual(clusterFindings([file]), [`${FILE}: processes.web: VirtualService patient-notes-web http[2] (weighted): expected destination weights that sum to 100, got 85 + 10 = 95 [FC-ROUTE-001] (cluster prod-eu-west)`]);
  });

  it('FC-ROUTE-002: a route to a subset without pods', () => {
    const file = renderValues(withCanary({ weight: 15 }));
    (file as any).documents = file.documents.filter((d) => d.metadata.name !== 'patient-notes-web-canary');
    assert.deepEqual(clusterFindings([file]), [
      `${FILE}: processes.web: VirtualService patient-notes-web http[0] (canary-buckets): expected a Deployment running pods for subset 'canary' of patient-notes-web.patient-notes.svc.cluster.local, found none; no request may be routed where no pod can answer [FC-ROUTE-002] (cluster prod-eu-west)`,
      `${FILE}: processes.web: VirtualService patient-notes-web http[2] (weighted): expected a Deployment running pods for subset 'canary' of patient-notes-web.patient-notes.svc.cluster.local, found none; no request may be routed where no pod can answer [FC-ROUTE-002] (cluster prod-eu-west)`,
    ]);
  });

  it('FC-ROUTE-003: two services claiming the same host and path, naming both files', () => {
    const a = renderValues({ ...baseValues('notes-a'), routes: { api: { host: 'notes', paths: ['/api'] } } });
    const b = renderValues({ ...baseValues('notes-b'), routes: { web: { host: 'notes', paths: ['/api/', '/ui'] } } });
    assert.deepEqual(clusterFindings([a, b]), [
      `apps/notes-a/values.ts: routes.api.paths: expected a host and path prefix no other service claims, got notes.care.example.com/api, which is also claimed by apps/notes-b/values.ts (routes.web); choose another host or path [FC-ROUTE-003] (cluster prod-eu-west)`,
      `apps/notes-b/values.ts: routes.web.paths: expected a host and path prefix no other service claims, got notes.care.example.com/api/, which is also claimed by apps/notes-a/values.ts (routes.api); choose another host or path [FC-ROUTE-003] (cluster prod-eu-west)`,
    ]);
    const nested = renderValues({ ...baseValues('notes-c'), routes: { all: { host: 'notes' } } });
    assert.match(clusterFindings([a, nested])[0], /got notes\.care\.example\.com\/api, which overlaps notes\.care\.example\.com\/ by apps\/notes-c\/values\.ts/);
  });

  it('FC-ROUTE-004: a caller that does not run on the cluster', () => {
    const file = renderValues({ ...baseValues(), callers: { services: ['fhir-gatewey'] } });
    assert.deepEqual(clusterFindings([file]), [
      `${FILE}: callers.services: expected services that run on cluster prod-eu-west, got 'fhir-gatewey', which does not; known: patient-notes [FC-ROUTE-004] (cluster prod-eu-west)`,
    ]);
  });

  it('FC-NET-001: an egress restriction that cuts DNS', () => {
    const file = renderValues({ ...baseValues(), egress: { namespaces: ['pharmacy'] } });
    const policy = file.documents.find((d) => d.metadata.name === 'restrict-egress') as any;
    policy.spec.egress.shift();
    assert.deepEqual(clusterFindings([file]), [`${FILE}: egress: NetworkPolicy restrict-egress: expected egress to kube-system on port 53 (UDP and TCP), found none; every name lookup would fail [FC-NET-001] (cluster prod-eu-west)`]);
  });

  it('stage clusters get the same routing', () => {
    assert.deepEqual(renderValues(withCanary({ weight: 5 }), GKE_STAGE).documents.filter((d) => d.kind === 'VirtualService').length, 1);
  });
});

describe('fleetchart routes', () => {
  it('prints, per host and path, the pins in order and then the weighted split', async () => {
    const result = await runCli(REPO, ['routes', '--cluster', 'prod-eu-west', '--app', 'patient-notes']);
    assert.equal(result.code, 0);
    assert.deepEqual(result.out, [
      'cluster prod-eu-west',
      '  notes.eu-west.care.example.com/api/notes  (gateway) → patient-notes-web.patient-notes.svc.cluster.local:8080   [apps/patient-notes/values.ts]',
      '    1. orgs oak-lodge (held) → stable',
      '    2. orgs st-marys → canary',
      '    3. users qa.lead@acme-care.example → canary',
      '    4. org buckets 0–14 → canary',
      '    5. org buckets 15–99 → stable',
      '    6. other requests → 85% stable, 15% canary',
      '  patient-notes-web.patient-notes.svc.cluster.local  (mesh) → patient-notes-web   [apps/patient-notes/values.ts]',
      '    1. orgs oak-lodge (held) → stable',
      '    2. orgs st-marys → canary',
      '    3. users qa.lead@acme-care.example → canary',
      '    4. org buckets 0–14 → canary',
      '    5. org buckets 15–99 → stable',
      '    6. other requests → 85% stable, 15% canary',
    ]);
  });

  it('prints the same as JSON for tools', async () => {
    const rows = JSON.parse((await runCli(REPO, ['routes', '--json', '--app', 'resident-preferences', '--cluster', 'stage-eu'])).out.join('\n'));
    assert.deepEqual(rows[0], {
      cluster: 'stage-eu',
      service: 'resident-preferences',
      file: 'apps/resident-preferences/values.ts',
      stages: [{ name: 'weighted', rule: 'all requests → stable', destinations: [{ track: 'stable', weight: 100 }] }],
      host: 'preferences.stage.care.example.com',
      path: '/',
      via: 'gateway',
      destination: 'resident-preferences-web.resident-preferences.svc.cluster.local:3000',
    });
  });
});
