import { DashboardBuilder, DatasourceVariableBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { BigValueGraphMode, ReduceDataOptionsBuilder, VizLegendOptionsBuilder, LegendDisplayMode, LegendPlacement } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TextPanel, TextMode } from '@grafana/grafana-foundation-sdk/text';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import type { ResolvedService } from '../values/model';
import { ServiceQueries } from './rules';
import { observedVersions } from './versions';

/**
 * The Grafana dashboard of one service, built with Grafana's own dashboard SDK
 * (@grafana/grafana-foundation-sdk, builders generated from Grafana's dashboard schema), so every
 * field is typed and Grafana's defaults apply. Deterministic: ids, uid and layout derive from the
 * service only.
 *
 * Rows: versions (who is on which version, then request rate, 5xx ratio, p50/p99 per version),
 * SLO (error and latency budget left over 30 days), pods (restarts, CPU and memory against requests).
 */
export function serviceDashboard(service: ResolvedService): Record<string, unknown> {
  const ns = service.namespace;
  const q = new ServiceQueries(ns);
  const versions = observedVersions(service);
  const budget = (100 - service.slo.availability) / 100;
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  const query = (expr: string, legend: string, refId = 'A') => new DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).range();
  const legend = () => new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Bottom).calcs(['lastNotNull', 'max']);
  const timeseries = (title: string, description: string, unit: string, span: number) =>
    new TimeseriesPanel().title(title).description(description).datasource(datasource).unit(unit).span(span).height(8).legend(legend());
  const stat = (title: string, description: string, expr: string) =>
    new StatPanel()
      .title(title)
      .description(description)
      .datasource(datasource)
      .unit('percentunit')
      .decimals(1)
      .span(6)
      .height(6)
      .graphMode(BigValueGraphMode.None)
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
      .withTarget(new DataqueryBuilder().expr(expr).refId('A').instant());

  const placement = [
    `Default version: **${versions.defaultVersion}**${versions.rollingOut ? ` · rolling out: **${versions.rollingOut}**` : ''}`,
    '',
    '| Who | Version |',
    '| --- | --- |',
    ...versions.placement.map((p) => `| ${p.who} | ${p.version} |`),
    '',
    `As rendered by fleetchart for ${service.cluster.name}; the version panels show what the mesh measured.`,
  ].join('\n');

  const byVersion = 'destination_version';
  return new DashboardBuilder(`${service.name} (${service.cluster.name})`)
    .uid(`fleetchart-${service.name}`.slice(0, 40))
    .description(`fleetchart: requests per version, SLO budgets and pods of ${service.name}. Generated from apps/${service.name}/values.ts; edits are overwritten.`)
    .tags(['fleetchart', `team:${service.team}`])
    .editable()
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))
    .withRow(new RowBuilder('Versions'))
    .withPanel(new TextPanel().title('Who is on which version').mode(TextMode.Markdown).content(placement).span(24).height(6))
    .withPanel(timeseries('Requests per second by version', 'As the callers see them (reporter=source).', 'reqps', 8).withTarget(query(q.requestRate('5m', '', byVersion), '{{destination_version}}')))
    .withPanel(
      timeseries('5xx ratio by version', 'Including 5xx the mesh returns itself (no upstream, circuit open, timeouts), which show as version "unknown".', 'percentunit', 8).withTarget(
        query(q.errorRatio('5m', '', byVersion), '{{destination_version}}'),
      ),
    )
    .withPanel(
      timeseries('Latency p50 / p99 by version', `p99 target: ${service.slo.latencyP99Ms}ms.`, 'ms', 8)
        .withTarget(query(q.quantile(0.5, '5m', '', byVersion), 'p50 {{destination_version}}', 'A'))
        .withTarget(query(q.quantile(0.99, '5m', '', byVersion), 'p99 {{destination_version}}', 'B')),
    )
    .withRow(new RowBuilder('SLO'))
    .withPanel(stat('Error budget left (30 days)', `Availability target ${service.slo.availability}%: share of the 30-day 5xx budget not yet spent.`, `1 - (${q.errorRatioOrZero('30d')} / ${round(budget)})`))
    .withPanel(stat('Latency budget left (30 days)', `p99 target ${service.slo.latencyP99Ms}ms: share of the 1% slow-request budget not yet spent.`, `1 - (${q.slowRatio('30d', service.slo.latencyP99Ms)} / 0.01)`))
    .withPanel(stat('Availability (30 days)', 'Share of requests without a 5xx.', `1 - ${q.errorRatioOrZero('30d')}`))
    .withPanel(stat('Requests slower than the target (30 days)', `Share of requests over ${service.slo.latencyP99Ms}ms.`, q.slowRatio('30d', service.slo.latencyP99Ms)))
    .withRow(new RowBuilder('Pods'))
    .withPanel(
      timeseries('Container restarts (1h)', 'kube-state-metrics restarts per container in the last hour.', 'short', 8).withTarget(
        query(`sum by (pod, container) (increase(kube_pod_container_status_restarts_total{namespace="${ns}"}[1h]))`, '{{pod}} {{container}}'),
      ),
    )
    .withPanel(
      timeseries('CPU used / requested', 'Per pod; above 1 the pod uses more than it reserved.', 'percentunit', 8).withTarget(
        query(
          `sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="${ns}",container!="",container!="POD"}[5m])) / sum by (pod) (kube_pod_container_resource_requests{namespace="${ns}",resource="cpu"})`,
          '{{pod}}',
        ),
      ),
    )
    .withPanel(
      timeseries('Memory used / requested', 'Working set per pod; the memory limit equals the request unless memoryLimit is set.', 'percentunit', 8).withTarget(
        query(`sum by (pod) (container_memory_working_set_bytes{namespace="${ns}",container!="",container!="POD"}) / sum by (pod) (kube_pod_container_resource_requests{namespace="${ns}",resource="memory"})`, '{{pod}}'),
      ),
    )
    .build() as unknown as Record<string, unknown>;
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}
