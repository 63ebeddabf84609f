import type { ResolvedProcess, ResolvedService, ResolvedSlo } from '../values/model';
import { observedVersions } from './versions';
import { HTTP_PROTOCOLS } from '../values/traffic';

/**
 * The alert rules of one service, as plain Prometheus rule groups (what a PrometheusRule's spec
 * holds and what `promtool check rules` reads), and the PromQL they are built from, which the
 * dashboard and `fleetchart verdict` share.
 *
 * Requests are counted as the callers' sidecars and the ingress gateway see them
 * (`reporter="source"`): that view includes the 5xx Envoy returns itself before a pod answers
 * (response_flags UH no healthy upstream, UO circuit open, UT/URX timeouts and retries exhausted),
 * which the destination side never sees. Under STRICT mTLS every caller has a sidecar or comes
 * through the gateway, so no request is missed. (Istio standard metrics, `reporter` label:
 * https://istio.io/latest/docs/reference/config/metrics/)
 */

/** Burn-rate alerts of the Google SRE workbook (chapter "Alerting on SLOs", table 5-8): page on 2% of a 30-day budget in 1h, or 5% in 6h. */
export const BURN_RATES = [
  { name: 'Fast', factor: 14.4, long: '1h', short: '5m', severity: 'critical' },
  { name: 'Slow', factor: 6, long: '6h', short: '30m', severity: 'critical' },
] as const;

/** Share of requests a p99 target lets be slower than it. */
const LATENCY_BUDGET = 0.01;

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Where the runbooks of these alerts live (in the fleet repository). */
export const RUNBOOK = 'docs/runbooks.md';

/** PromQL building blocks for one service. */
export class ServiceQueries {
  /** Label matchers of every request to the service. */
  readonly selector: string;

  constructor(readonly namespace: string) {
    this.selector = `reporter="source",destination_service_namespace="${namespace}"`;
  }

  private requests(extra: string, window: string, by?: string): string {
    return `sum${by ? ` by (${by})` : ''} (rate(istio_requests_total{${this.selector}${extra}}[${window}]))`;
  }

  /** Share of requests answered with a 5xx over the window (no series when there is no traffic). */
  errorRatio(window: string, extra = '', by?: string): string {
    const on = by ? ` on (${by})` : '';
    return `(${this.requests(`${extra},response_code=~"5.."`, window, by)} /${on} ${this.requests(extra, window, by)})`;
  }

  /** The same, 0 (not absent) when there was traffic but no 5xx. */
  errorRatioOrZero(window: string, extra = ''): string {
    return `((${this.requests(`${extra},response_code=~"5.."`, window)} or vector(0)) / ${this.requests(extra, window)})`;
  }

  /** Share of requests slower than `ms` (a bucket boundary) over the window. */
  slowRatio(window: string, ms: number): string {
    return `(1 - (sum (rate(istio_request_duration_milliseconds_bucket{${this.selector},le="${promLe(ms)}"}[${window}])) / sum (rate(istio_request_duration_milliseconds_count{${this.selector}}[${window}]))))`;
  }

  /** p-quantile of request duration in ms. */
  quantile(q: number, window: string, extra = '', by?: string): string {
    return `histogram_quantile(${q}, sum by (${by ? `${by}, ` : ''}le) (rate(istio_request_duration_milliseconds_bucket{${this.selector}${extra}}[${window}])))`;
  }

  /** Requests in the window. */
  requestCount(window: string, extra = '', by?: string): string {
    return `sum${by ? ` by (${by})` : ''} (increase(istio_requests_total{${this.selector}${extra}}[${window}]))`;
  }

  requestRate(window: string, extra = '', by?: string): string {
    return this.requests(extra, window, by);
  }
}

/** Whether a process serves HTTP requests to callers (a port that only serves metrics does not). */
export function servesRequests(process: ResolvedProcess): boolean {
  return process.ports.some((port) => HTTP_PROTOCOLS.includes(port.protocol) && port.name !== process.metrics?.port);
}

/** Every alert of the service: SLO burn rates (availability, latency) and version versus default version. */
export function serviceRuleGroups(service: ResolvedService): RuleGroup[] {
  if (!service.processes.some(servesRequests)) return [];
  const q = new ServiceQueries(service.namespace);
  const slo = service.slo;
  const budget = round((100 - slo.availability) / 100);
  const labels = (severity: string) => ({ team: service.team, service: service.name, cluster: service.cluster.name, severity });
  const sloRules: AlertRule[] = [];
  for (const burn of BURN_RATES) {
    const threshold = round(burn.factor * budget);
    sloRules.push({
      alert: `${alertPrefix(service)}ErrorBudget${burn.name}Burn`,
      expr: `${q.errorRatio(burn.long)} > ${threshold}\nand\n${q.errorRatio(burn.short)} > ${threshold}`,
      labels: labels(burn.severity),
      annotations: {
        summary: `${service.name} on ${service.cluster.name} burns its ${slo.availability}% availability budget ${burn.factor}x too fast`,
        description: `More than ${pct(threshold)} of requests failed with a 5xx over the last ${burn.long} and ${burn.short} (including 5xx returned by the mesh itself). At this rate the 30-day error budget is gone in ${days(30 / burn.factor)}.`,
        runbook_url: `${RUNBOOK}#error-budget-burn`,
      },
    });
    const slowThreshold = round(burn.factor * LATENCY_BUDGET);
    sloRules.push({
      alert: `${alertPrefix(service)}LatencyBudget${burn.name}Burn`,
      expr: `${q.slowRatio(burn.long, slo.latencyP99Ms)} > ${slowThreshold}\nand\n${q.slowRatio(burn.short, slo.latencyP99Ms)} > ${slowThreshold}`,
      labels: labels(burn.severity),
      annotations: {
        summary: `${service.name} on ${service.cluster.name} answers too slowly: p99 target ${slo.latencyP99Ms}ms`,
        description: `More than ${pct(slowThreshold)} of requests took longer than ${slo.latencyP99Ms}ms over the last ${burn.long} and ${burn.short} (the target allows 1%).`,
        runbook_url: `${RUNBOOK}#latency-budget-burn`,
      },
    });
  }
  return [
    { name: `${service.name}.slo`, rules: sloRules },
    { name: `${service.name}.versions`, rules: versionRules(service, q, labels('warning')) },
  ];
}

/**
 * A version other than the default one that takes enough traffic and is clearly worse than the
 * default version. Compared per `destination_version`; requests Envoy could not attribute to a
 * version (`unknown`: no upstream chosen) count for the SLO only.
 */
function versionRules(service: ResolvedService, q: ServiceQueries, labels: Record<string, string>): AlertRule[] {
  const slo = service.slo;
  const t = versionThresholds(slo);
  const w = slo.compareWindow;
  const def = observedVersions(service).defaultVersion;
  const others = `,destination_version!~"${escapeRegex(def)}|unknown"`;
  const onDefault = `,destination_version="${def}"`;
  const enough = `${q.requestCount(w, others, 'destination_version')} >= ${slo.minRequests}`;
  return [
    {
      alert: `${alertPrefix(service)}VersionErrorRatio`,
      expr: `(\n  ${q.errorRatio(w, others, 'destination_version')}\n  - on () group_left ()\n  ${q.errorRatioOrZero(w, onDefault)}\n) > ${t.errorRatioIncrease}\nand on (destination_version)\n${enough}`,
      for: '5m',
      labels,
      annotations: {
        summary: `${service.name} version {{ $labels.destination_version }} on ${service.cluster.name} fails more often than the default version ${def}`,
        description: `Its 5xx ratio over the last ${w} exceeds the default version's by more than ${pct(t.errorRatioIncrease)} (at least ${slo.minRequests} requests). Run 'fleetchart verdict ${service.name} --cluster ${service.cluster.name} --prometheus <url>' and roll back.`,
        runbook_url: `${RUNBOOK}#version-worse-than-default`,
      },
    },
    {
      alert: `${alertPrefix(service)}VersionLatency`,
      expr: `(\n  ${q.quantile(0.99, w, others, 'destination_version')}\n  > on () group_left ()\n  (${q.quantile(0.99, w, onDefault)} * ${t.latencyFactor})\n)\nand on (destination_version)\n(\n  ${q.quantile(0.99, w, others, 'destination_version')}\n  - on () group_left ()\n  ${q.quantile(0.99, w, onDefault)}\n) > ${t.latencyIncreaseMs}\nand on (destination_version)\n${enough}`,
      for: '5m',
      labels,
      annotations: {
        summary: `${service.name} version {{ $labels.destination_version }} on ${service.cluster.name} is slower than the default version ${def}`,
        description: `Its p99 over the last ${w} is more than ${t.latencyFactor}x and ${t.latencyIncreaseMs}ms above the default version's (at least ${slo.minRequests} requests). Run 'fleetchart verdict ${service.name} --cluster ${service.cluster.name} --prometheus <url>' and roll back.`,
        runbook_url: `${RUNBOOK}#version-worse-than-default`,
      },
    },
  ];
}

/** The version-versus-default thresholds, as ratios and milliseconds (alerts and verdict share them). */
export function versionThresholds(slo: ResolvedSlo): { errorRatioIncrease: number; latencyFactor: number; latencyIncreaseMs: number; minRequests: number } {
  return { errorRatioIncrease: round(slo.maxErrorRatioIncrease / 100), latencyFactor: slo.maxLatencyFactor, latencyIncreaseMs: slo.maxLatencyIncreaseMs, minRequests: slo.minRequests };
}

/** `patient-notes` → `PatientNotes`: alert names read as one word per service. */
function alertPrefix(service: ResolvedService): string {
  return service.name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/**
 * A bucket boundary as Prometheus writes the `le` label: Go's strconv.FormatFloat(v, 'g', -1, 64)
 * (prometheus/model/labels, normalized on ingest since Prometheus 3), which switches to exponent
 * notation at 1e6 (strconv/ftoa.go: shortest 'g' uses eprec = 6), e.g. 1800000 → `1.8e+06`.
 */
export function promLe(ms: number): string {
  const exp = Math.floor(Math.log10(ms));
  if (exp < -4 || exp >= 6) return ms.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(ms);
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}

function pct(ratio: number): string {
  return `${round(ratio * 100)}%`;
}

function days(d: number): string {
  return d >= 1 ? `${Number(d.toFixed(1))} days` : `${Number((d * 24).toFixed(1))} hours`;
}

function escapeRegex(s: string): string {
  // Escaped for the regex, then the backslash escaped for the PromQL string.
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}
