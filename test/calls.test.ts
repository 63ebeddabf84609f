import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { REPO, makeFleet, removeFleet, spawnCli, valuesFile } from './support/fleet';

/**
 * Dependencies declared once: `calls` in the caller's values gives it the callee's address, an
 * egress rule to the callee on that port, and an AuthorizationPolicy rule on the callee for that
 * caller on that port only, once the callee consents (callers.services). AuthorizationPolicy
 * semantics (rules ORed, from/to ANDed, ports as the workload sees them):
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
const roots: string[] = [];
after(() => roots.forEach(removeFleet));

const probes = `probes: { ready: { path: '/ready' }, live: { path: '/live' } }`;
const callee = (callers: string) =>
  valuesFile(`{ name: 'payments', team: 'billing', image: 'europe-docker.pkg.dev/acme-care/apps/payments', release: { default: '2026.11.3@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' },
    processes: { api: { ports: [{ name: 'grpc', port: 50051, protocol: 'grpc' }, { name: 'admin', port: 9000 }], replicas: 2, probes: { ready: { port: 'admin', path: '/ready' }, live: { port: 'admin', path: '/live' } } } },
    callers: { services: [${callers}] } }`);
const caller = valuesFile(`{ name: 'checkout', team: 'billing', image: 'europe-docker.pkg.dev/acme-care/apps/checkout', release: { default: '2026.11.3@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' },
  processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, ${probes} } },
  calls: { payments: { service: 'payments', port: 'grpc' } },
  external: { fhir: { host: 'healthcare.googleapis.com' } } }`);

function objects(root: string, cluster: string, service: string): any[] {
  return parseAllDocuments(fs.readFileSync(path.join(root, 'charts-out', cluster, `${service}.k8s.yaml`), 'utf8')).map((d) => d.toJS());
}

describe('calls: dependencies declared once', () => {
  const root = makeFleet({ 'apps/payments/values.ts': callee(`'checkout'`), 'apps/checkout/values.ts': caller });
  roots.push(root);
  const synth = spawnCli(root, ['synth', '--cluster', 'stage-eu']);

  it('renders the fleet', () => assert.equal(synth.code, 0, synth.err.join('\n')));

  it("gives the caller the callee's address as PAYMENTS_ADDR", () => {
    const deployment = objects(root, 'stage-eu', 'checkout').find((o) => o.kind === 'Deployment');
    const env = deployment.spec.template.spec.containers[0].env;
    assert.ok(env.some((e: any) => e.name === 'PAYMENTS_ADDR' && e.value === 'payments-api.payments.svc.cluster.local:50051'));
  });

  it("allows the caller in the callee's AuthorizationPolicy on the called port only", () => {
    const policy = objects(root, 'stage-eu', 'payments').find((o) => o.kind === 'AuthorizationPolicy');
    const forCaller = policy.spec.rules.filter((r: any) => r.from.some((f: any) => f.source.principals?.some((p: string) => p.includes('/ns/checkout/'))));
    assert.deepEqual(forCaller, [{ from: [{ source: { principals: ['cluster.local/ns/checkout/sa/checkout'] } }], to: [{ operation: { ports: ['50051'] } }] }]);
  });

  it("allows the call in the caller's egress NetworkPolicy, and nothing else outside DNS, istiod and its namespace", () => {
    const egress = objects(root, 'stage-eu', 'checkout').find((o) => o.kind === 'NetworkPolicy' && o.spec.policyTypes.includes('Egress'));
    const namespaces = egress.spec.egress.map((rule: any) => rule.to[0].namespaceSelector?.matchLabels['kubernetes.io/metadata.name']);
    assert.deepEqual(namespaces, ['kube-system', 'istio-system', 'checkout', 'payments', undefined]);
    assert.deepEqual(egress.spec.egress[3].ports, [{ protocol: 'TCP', port: 50051 }]);
  });

  it('renders an external dependency as a ServiceEntry for its namespace and an egress rule to public addresses on its port', () => {
    const all = objects(root, 'stage-eu', 'checkout');
    const entry = all.find((o) => o.kind === 'ServiceEntry');
    assert.deepEqual(entry.spec, { exportTo: ['.'], hosts: ['healthcare.googleapis.com'], location: 'MESH_EXTERNAL', ports: [{ name: 'https-443', number: 443, protocol: 'HTTPS' }], resolution: 'DNS' });
    const egress = all.find((o) => o.kind === 'NetworkPolicy' && o.spec.policyTypes.includes('Egress'));
    assert.deepEqual(egress.spec.egress.at(-1), { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] });
  });

  it("matches the README: the example fhir-gateway's call gives the address it shows", () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const [, name, value] = /fleetchart then sets `([A-Z_]+)=([^`]+)`/.exec(readme)!;
    const deployment = objects(REPO, 'stage-eu', 'fhir-gateway').find((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('fhir-gateway-web'));
    assert.ok(deployment.spec.template.spec.containers[0].env.some((e: any) => e.name === name && e.value === value));
  });

  it("reports a call the callee does not consent to, naming the callee's file, also with --app", () => {
    const other = makeFleet({ 'apps/payments/values.ts': callee(''), 'apps/checkout/values.ts': caller });
    roots.push(other);
    for (const args of [['validate'], ['validate', '--app', 'checkout']]) {
      const result = spawnCli(other, args);
      assert.equal(result.code, 1);
      assert.match(result.err[0], /^apps\/checkout\/values\.ts: calls\.payments\.service: expected apps\/payments\/values\.ts to list 'checkout' in callers\.services .*\[FC-CALL-001\] \(clusters /);
    }
  });
});
