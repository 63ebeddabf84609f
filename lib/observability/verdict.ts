import type { ResolvedService } from '../values/model';
import { ServiceQueries, versionThresholds } from './rules';
import { observedVersions } from './versions';

/**
 * The canary verdict: the rolling-out version against the default version over a window, with
 * the thresholds the version alerts use (lib/observability/rules.ts, from the values' `slo`).
 */

export type Decision = 'advance' | 'hold' | 'rollback';

/** Exit codes of `fleetchart verdict`, one per decision (1 and 2 keep their CLI-wide meaning). */
export const VERDICT_EXIT: Record<Decision, number> = { advance: 0, hold: 3, rollback: 4 };

export interface VersionFigures {
  readonly version: string;
  readonly role: 'default' | 'rolling out';
  readonly requests: number;
  readonly errors: number;
  /** 5xx / requests; null without requests. */
  readonly errorRatio: number | null;
  /** p99 request duration in ms; null without requests. */
  readonly p99Ms: number | null;
}

export interface Verdict {
  readonly service: string;
  readonly cluster: string;
  readonly decision: Decision;
  readonly reasons: readonly string[];
  readonly window: string;
  /** RFC 3339 time the window ends at. */
  readonly at: string;
  readonly thresholds: ReturnType<typeof versionThresholds>;
  readonly versions: readonly VersionFigures[];
}

/** Runs one PromQL instant query; returns value by `destination_version`. */
export type InstantQuery = (promql: string) => Promise<Map<string, number>>;

export async function judge(service: ResolvedService, query: InstantQuery, options: { window?: string; at: Date }): Promise<Verdict> {
  const window = options.window ?? service.slo.compareWindow;
  const observed = observedVersions(service);
  const thresholds = versionThresholds(service.slo);
  const base = { service: service.name, cluster: service.cluster.name, window, at: options.at.toISOString(), thresholds };
  const q = new ServiceQueries(service.namespace);
  const labels = [observed.defaultVersion, ...(observed.rollingOut ? [observed.rollingOut] : [])];
  const only = `,destination_version=~"${labels.map(escapeRegex).join('|')}"`;
  const [requests, errors, p99] = await Promise.all([
    query(q.requestCount(window, only, 'destination_version')),
    query(q.requestCount(window, `${only},response_code=~"5.."`, 'destination_version')),
    query(q.quantile(0.99, window, only, 'destination_version')),
  ]);
  const figures = (label: string, role: VersionFigures['role']): VersionFigures => {
    const n = Math.round(requests.get(label) ?? 0);
    const e = Math.round(errors.get(label) ?? 0);
    const latency = p99.get(label);
    return { version: label, role, requests: n, errors: e, errorRatio: n > 0 ? e / n : null, p99Ms: n > 0 && latency !== undefined && Number.isFinite(latency) ? latency : null };
  };
  const def = figures(observed.defaultVersion, 'default');
  if (!observed.rollingOut) return { ...base, decision: 'hold', reasons: [`no version is rolling out: ${observed.defaultVersion} is the only version`], versions: [def] };
  const next = figures(observed.rollingOut, 'rolling out');
  const versions = [def, next];

  const thin = [def, next].filter((v) => v.requests < thresholds.minRequests);
  if (thin.length) {
    return { ...base, decision: 'hold', versions, reasons: thin.map((v) => `too little data: ${v.version} (${v.role}) has ${v.requests} requests in ${window}, needs ${thresholds.minRequests}; wait and ask again`) };
  }
  const reasons: string[] = [];
  const errorIncrease = next.errorRatio! - def.errorRatio!;
  if (errorIncrease > thresholds.errorRatioIncrease) {
    reasons.push(`5xx ratio ${pct(next.errorRatio!)} vs ${pct(def.errorRatio!)} on the default version: ${pct(errorIncrease)} worse, more than the ${pct(thresholds.errorRatioIncrease)} allowed`);
  }
  if (next.p99Ms !== null && def.p99Ms !== null && next.p99Ms > def.p99Ms * thresholds.latencyFactor && next.p99Ms - def.p99Ms > thresholds.latencyIncreaseMs) {
    reasons.push(`p99 ${ms(next.p99Ms)} vs ${ms(def.p99Ms)} on the default version: more than ${thresholds.latencyFactor}x and ${thresholds.latencyIncreaseMs}ms slower`);
  }
  if (reasons.length) return { ...base, decision: 'rollback', versions, reasons };
  return {
    ...base,
    decision: 'advance',
    versions,
    reasons: [`5xx ratio ${pct(next.errorRatio!)} vs ${pct(def.errorRatio!)}, p99 ${ms(next.p99Ms)} vs ${ms(def.p99Ms)}: within the thresholds over ${next.requests} requests`],
  };
}

/** An InstantQuery against a Prometheus HTTP API (GET /api/v1/query, https://prometheus.io/docs/prometheus/latest/querying/api/). */
export function prometheusQuery(baseUrl: string, at: Date): InstantQuery {
  return async (promql) => {
    const url = new URL('api/v1/query', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    url.searchParams.set('query', promql);
    url.searchParams.set('time', String(at.getTime() / 1000));
    const response = await fetch(url);
    const body = (await response.json().catch(() => undefined)) as { status?: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } } | undefined;
    if (!response.ok || body?.status !== 'success' || body.data?.resultType !== 'vector') {
      throw new Error(`Prometheus at ${baseUrl} answered ${response.status}${body?.error ? `: ${body.error}` : ''} to ${promql}`);
    }
    return new Map(body.data.result.map((r) => [r.metric.destination_version ?? '', Number(r.value[1])]));
  };
}

/** The verdict as lines for a terminal. */
export function formatVerdict(v: Verdict): string[] {
  const title = { advance: 'ADVANCE', hold: 'HOLD', rollback: 'ROLL BACK' }[v.decision];
  const rows = v.versions.map((x) => [`${x.version} (${x.role})`, String(x.requests), x.errorRatio === null ? '-' : pct(x.errorRatio), ms(x.p99Ms)]);
  const header = ['version', 'requests', '5xx ratio', 'p99'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`;
  return [
    `${v.service} on ${v.cluster}: ${title}`,
    `  window ${v.window} ending ${v.at}; thresholds: 5xx ratio +${pct(v.thresholds.errorRatioIncrease)}, p99 x${v.thresholds.latencyFactor} and +${v.thresholds.latencyIncreaseMs}ms, at least ${v.thresholds.minRequests} requests`,
    line(header),
    ...rows.map(line),
    ...v.reasons.map((r) => `  - ${r}`),
  ];
}

/** `--at`: RFC 3339 or Unix seconds. */
export function parseTime(value: string): Date | undefined {
  const date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `--window`: whole minutes or hours, as PromQL writes a range. */
export function validWindow(value: string): boolean {
  return /^[1-9]\d*[mh]$/.test(value);
}

function pct(ratio: number): string {
  return `${Number((ratio * 100).toFixed(3))}%`;
}

function ms(value: number | null): string {
  return value === null ? '-' : `${Number(value.toFixed(1))}ms`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}
