import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { serviceRuleGroups, type AlertRule } from '../../lib/observability/rules';
import { renderFleet } from '../../lib/pipeline';
import { REPO } from '../support/fleet';
import { baseValues, resolveValues } from '../support/render';
import { SKIP_HINT, tool } from './tools';

/**
 * The alert rules as Prometheus's own rule engine reads and evaluates them: `promtool check
 * rules` on every rule file fleetchart renders, and `promtool test rules` on synthetic Istio
 * series for a service with a rolling-out version.
 */

const promtool = tool('promtool');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-rules-'));

describe('alerts: every rendered rule file passes promtool check rules', { skip: !promtool && SKIP_HINT }, () => {
  it('checks the PrometheusRule of every example service on every cluster', () => {
    const fleet = renderFleet(REPO);
    assert.deepEqual(fleet.findings.filter((f) => f.severity === 'error'), []);
    const dir = tmp();
    const files: string[] = [];
    for (const file of fleet.files) {
      for (const doc of file.documents.filter((d) => d.kind === 'PrometheusRule')) {
        const out = path.join(dir, `${file.cluster}-${doc.metadata.name}.yaml`);
        fs.writeFileSync(out, stringify({ groups: (doc as any).spec.groups }));
        files.push(out);
      }
    }
    assert.ok(files.length > 0, 'no PrometheusRule rendered');
    const out = execFileSync(promtool!, ['check', 'rules', ...files], { encoding: 'utf8' });
    assert.equal((out.match(/SUCCESS/g) ?? []).length, files.length, out);
  });
});

// A service on a prod cluster: default version 2026.11.3, version 2026.11.4 rolling out at 5%.
const DEFAULT = '2026.11.3';
const CANARY = '2026.11.4';
const values = { ...baseValues('notes'), release: { versions: [`${DEFAULT}@sha256:${'a'.repeat(64)}`, `${CANARY}@sha256:${'b'.repeat(64)}`], default: DEFAULT, rollout: { version: CANARY, weight: 5 } } };
const service = resolveValues(values).service!;
const groups = serviceRuleGroups(service);
const rules = new Map(groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
const ALERTS = {
  errorFast: 'NotesErrorBudgetFastBurn',
  errorSlow: 'NotesErrorBudgetSlowBurn',
  latencyFast: 'NotesLatencyBudgetFastBurn',
  latencySlow: 'NotesLatencyBudgetSlowBurn',
  versionErrors: 'NotesVersionErrorRatio',
  versionLatency: 'NotesVersionLatency',
};
const ALL_ALERTS = Object.values(ALERTS);

/** 8 hours of series: the 6-hour windows start full of healthy traffic before a case's incident. */
const MINUTES = 480;
const INCIDENT = 360;
/** Requests per minute of one series at a minute. */
type Rate = (minute: number) => number;
const constant = (n: number): Rate => () => n;
const from = (start: number, before: number, after: number): Rate => (m) => (m < start ? before : after);

interface Traffic {
  /** Successful requests per minute, and 5xx per minute, of the version. */
  ok: Rate;
  errors: Rate;
  /** Which duration bucket the version's requests fall in (ms upper bound), per minute. */
  latency: (minute: number) => number;
  /** Envoy's response flag on the 5xx (UH: no healthy upstream, answered by the caller's sidecar). */
  flag?: string;
}

const LE = ['100', '500', '1000', '2500', '+Inf'];

function seriesFor(version: string, t: Traffic): { series: string; values: string }[] {
  const base = `reporter="source",destination_service_namespace="notes",destination_service_name="notes-web",destination_version="${version}"`;
  const cumulative = (rate: Rate) => {
    const out: number[] = [0];
    for (let m = 1; m <= MINUTES; m++) out.push(out[m - 1] + rate(m));
    return out.join(' ');
  };
  const all: Rate = (m) => t.ok(m) + t.errors(m);
  const series = [
    { series: `istio_requests_total{${base},response_code="200",response_flags="-"}`, values: cumulative(t.ok) },
    { series: `istio_requests_total{${base},response_code="503",response_flags="${t.flag ?? '-'}"}`, values: cumulative(t.errors) },
    { series: `istio_request_duration_milliseconds_count{${base}}`, values: cumulative(all) },
  ];
  for (const le of LE) {
    const inBucket: Rate = (m) => (le === '+Inf' || t.latency(m) <= Number(le) ? all(m) : 0);
    series.push({ series: `istio_request_duration_milliseconds_bucket{${base},le="${le}"}`, values: cumulative(inBucket) });
  }
  return series;
}

const fast = () => 100;
/** The default version: 6000 requests a minute, 0.05% 5xx (half the budget of 99.9%), all under 100ms. */
const healthyDefault: Traffic = { ok: constant(5997), errors: constant(3), latency: fast };
/** The rolling-out version at 5% of the traffic, clean. */
const healthyCanary: Traffic = { ok: constant(300), errors: constant(0), latency: fast };

function expected(name: string, labels: Record<string, string> = {}) {
  const rule: AlertRule = rules.get(name)!;
  const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, v.replace('{{ $labels.destination_version }}', labels.destination_version ?? '')]));
  return { exp_labels: { ...rule.labels, ...labels }, exp_annotations: annotations };
}

interface Case {
  name: string;
  traffic: Record<string, Traffic>;
  /** eval time (minutes) → alerts expected to fire then; every other alert, SLO ones included, must be silent. */
  at: Record<number, { alert: string; labels?: Record<string, string> }[]>;
}

const CASES: Case[] = [
  {
    name: 'a healthy service stays silent',
    traffic: { [DEFAULT]: healthyDefault, [CANARY]: healthyCanary },
    at: { 30: [], 240: [], 480: [] },
  },
  {
    name: 'a burn at 20x the budget rate fires the fast-burn alert after 14.4/20 of an hour (43 min), not before',
    // 2% 5xx after 6 healthy hours: the 1h ratio crosses 14.4 x 0.1% = 1.44% 43.2 min in.
    traffic: { [DEFAULT]: { ok: from(INCIDENT, 6000, 5880), errors: from(INCIDENT, 0, 120), latency: fast }, [CANARY]: healthyCanary },
    at: { [INCIDENT + 40]: [], [INCIDENT + 50]: [{ alert: ALERTS.errorFast }] },
  },
  {
    name: "an outage answered by the callers' sidecars (503 UH, no version) pages within 3 minutes",
    traffic: { [DEFAULT]: { ok: from(INCIDENT, 6000, 0), errors: constant(0), latency: fast }, unknown: { ok: constant(0), errors: from(INCIDENT, 0, 6000), latency: fast, flag: 'UH' } },
    at: { [INCIDENT - 1]: [], [INCIDENT + 3]: [{ alert: ALERTS.errorFast }, { alert: ALERTS.errorSlow }] },
  },
  {
    name: 'a 6x burn fires the slow-burn alert only',
    // 0.7% 5xx from minute 0: over the 6h/30m windows 0.7% > 6 x 0.1%, under the fast 1.44%.
    traffic: { [DEFAULT]: { ok: constant(5958), errors: constant(42), latency: fast } },
    at: { 60: [{ alert: ALERTS.errorSlow }] },
  },
  {
    name: 'every request slower than the p99 target fires the latency fast-burn alert once 14.4% of the last hour was slow',
    traffic: { [DEFAULT]: { ok: constant(6000), errors: constant(0), latency: (m) => (m <= INCIDENT ? 100 : 2500) } },
    at: { [INCIDENT + 5]: [], [INCIDENT + 10]: [{ alert: ALERTS.latencyFast }] },
  },
  {
    name: 'a rolling-out version with 5% errors against a clean default fires the version alert, not the SLO alerts',
    traffic: { [DEFAULT]: { ok: constant(6000), errors: constant(0), latency: fast }, [CANARY]: { ok: constant(285), errors: constant(15), latency: fast } },
    at: { 3: [], 40: [{ alert: ALERTS.versionErrors, labels: { destination_version: CANARY } }], 120: [{ alert: ALERTS.versionErrors, labels: { destination_version: CANARY } }] },
  },
  {
    name: 'a rolling-out version with a p99 near 1s against 100ms fires the version latency alert, not the latency SLO',
    traffic: { [DEFAULT]: healthyDefault, [CANARY]: { ok: constant(300), errors: constant(0), latency: () => 1000 } },
    at: { 40: [{ alert: ALERTS.versionLatency, labels: { destination_version: CANARY } }] },
  },
  {
    name: 'a version with fewer requests than the minimum stays silent, even when they all fail',
    // One request every 20 minutes: 1-2 in the 30-minute window, under the minimum of 100.
    traffic: { [DEFAULT]: { ok: constant(6000), errors: constant(0), latency: fast }, [CANARY]: { ok: constant(0), errors: (m) => (m % 20 === 0 ? 1 : 0), latency: () => 2500 } },
    at: { 60: [], 120: [] },
  },
];

describe('alerts: promtool test rules on synthetic Istio series', { skip: !promtool && SKIP_HINT }, () => {
  it('renders every alert the cases refer to', () => {
    assert.deepEqual([...rules.keys()].sort(), [...ALL_ALERTS].sort());
  });

  for (const c of CASES) {
    it(c.name, () => {
      const dir = tmp();
      fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups }));
      const alertTests = Object.entries(c.at).flatMap(([minute, firing]) =>
        ALL_ALERTS.map((alert) => ({
          eval_time: `${minute}m`,
          alertname: alert,
          exp_alerts: firing.filter((f) => f.alert === alert).map((f) => expected(alert, f.labels)),
        })),
      );
      const test = {
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [{ name: c.name, interval: '1m', input_series: Object.entries(c.traffic).flatMap(([v, t]) => seriesFor(v, t)), alert_rule_test: alertTests }],
      };
      fs.writeFileSync(path.join(dir, 'test.yaml'), stringify(test, { lineWidth: 0 }));
      try {
        execFileSync(promtool!, ['test', 'rules', 'test.yaml'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string };
        assert.fail(`promtool test rules failed (${dir}):\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      }
    });
  }
});
