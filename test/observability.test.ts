import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceDashboard } from '../lib/observability/dashboard';
import { observedVersions } from '../lib/observability/versions';
import { promqlError } from '../lib/validate/promql';
import { DEFAULTS } from '../lib/values/defaults';
import { baseValues, resolveValues } from './support/render';

/**
 * What monitoring reads from the values: the versions (through the one adapter to the release
 * model), the metrics endpoint, and a dashboard that renders the same every time. Alerts and the
 * verdict are proved against Prometheus itself in test/prometheus/.
 */

const canaryValues = {
  ...baseValues('notes'),
  release: { versions: [`2026.11.3@sha256:${'a'.repeat(64)}`, `2026.11.4@sha256:${'b'.repeat(64)}`], default: '2026.11.3', rollout: { version: '2026.11.4', weight: 15 }, orgs: { 'st-marys': '2026.11.4', 'oak-lodge': '2026.11.3' } },
};

describe('observability: versions', () => {
  it('names the default version and the one rolling out by their pod label, as Istio reports destination_version', () => {
    const v = observedVersions(resolveValues(canaryValues).service!);
    assert.equal(v.defaultVersion, '2026.11.3');
    assert.equal(v.rollingOut, '2026.11.4');
  });

  it('places held organizations on the default version and pinned ones on the version rolling out', () => {
    const placement = observedVersions(resolveValues(canaryValues).service!).placement;
    assert.equal(placement.find((p) => p.who.includes('oak-lodge'))?.version, '2026.11.3');
    assert.equal(placement.find((p) => p.who.includes('st-marys'))?.version, '2026.11.4');
  });

  it('has nothing rolling out without a rollout', () => {
    assert.equal(observedVersions(resolveValues(baseValues('notes')).service!).rollingOut, undefined);
  });
});

describe('observability: metrics endpoint', () => {
  const web = (process: Record<string, unknown>) => resolveValues({ ...baseValues('notes'), processes: { web: { replicas: 2, ...process } } }).service!.processes[0].metrics;

  it('scrapes a port named metrics at the default path without any setting', () => {
    assert.deepEqual(web({ ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }] }), { port: 'metrics', portNumber: 9090, path: DEFAULTS.metrics.path, interval: DEFAULTS.metrics.interval });
  });

  it('scrapes the port and path the values name', () => {
    assert.deepEqual(web({ ports: [{ name: 'http', port: 8080 }], metrics: { port: 'http', path: '/internal/metrics' } }), { port: 'http', portNumber: 8080, path: '/internal/metrics', interval: DEFAULTS.metrics.interval });
  });

  it('scrapes nothing from a process without metrics', () => {
    assert.equal(web({ ports: [{ name: 'http', port: 8080 }] }), undefined);
  });
});

describe('observability: dashboard', () => {
  it('renders the same dashboard every time', () => {
    const service = resolveValues(canaryValues).service!;
    assert.equal(JSON.stringify(serviceDashboard(service)), JSON.stringify(serviceDashboard(resolveValues(canaryValues).service!)));
  });

  it('queries only PromQL that parses', () => {
    const dashboard = serviceDashboard(resolveValues(canaryValues).service!) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    assert.ok(exprs.length > 0);
    for (const expr of exprs) assert.equal(promqlError(expr), '', expr);
  });
});
