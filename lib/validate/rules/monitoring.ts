import { ClusterView, Located, describeObject, podTemplate, quoted, selects } from '../context';
import { promqlError } from '../promql';

/**
 * Monitoring objects point at what they watch: a ServiceMonitor at one rendered Service and a
 * port that Service names, a PodMonitor at the pods of one process (FC-REF-008); and every PromQL
 * expression rendered, in alert rules and dashboards, parses (FC-PROM-001).
 */
export function checkMonitoring(view: ClusterView): void {
  for (const at of view.byKind('ServiceMonitor')) checkServiceMonitor(view, at);
  for (const at of view.byKind('PodMonitor')) checkPodMonitor(view, at);
  for (const at of view.byKind('PrometheusRule')) {
    (at.doc.spec?.groups ?? []).forEach((group: any, g: number) =>
      (group?.rules ?? []).forEach((rule: any, r: number) => checkExpr(view, at, String(rule?.expr ?? ''), `spec.groups[${g}].rules[${r}].expr (${rule?.alert ?? rule?.record})`)),
    );
  }
  for (const at of view.byKind('ConfigMap')) {
    for (const [key, value] of Object.entries<string>(at.doc.data ?? {})) {
      if (!key.endsWith('.json')) continue;
      for (const { expr, where } of dashboardExprs(value)) checkExpr(view, at, expr, `data.${key} ${where}`);
    }
  }
}

function checkExpr(view: ClusterView, at: Located, expr: string, where: string): void {
  const error = promqlError(expr);
  if (error) view.report(at, 'FC-PROM-001', 'slo', `expected valid PromQL in ${describeObject(at)} ${where}, got a ${error}; this is a fleetchart bug if the values are valid, report it to the infra team`);
}

/** Every Prometheus query of a Grafana dashboard: panels' targets (in rows too). */
function dashboardExprs(json: string): { expr: string; where: string }[] {
  let dashboard: any;
  try {
    dashboard = JSON.parse(json);
  } catch {
    return [{ expr: '(', where: 'is not JSON' }];
  }
  const out: { expr: string; where: string }[] = [];
  const panels = (list: any[], prefix: string) =>
    (list ?? []).forEach((panel, p) => {
      (panel?.targets ?? []).forEach((t: any, i: number) => typeof t?.expr === 'string' && out.push({ expr: t.expr, where: `${prefix}panels[${p}].targets[${i}].expr (${panel.title})` }));
      if (panel?.panels) panels(panel.panels, `${prefix}panels[${p}].`);
    });
  panels(dashboard?.panels, '');
  return out;
}

function checkServiceMonitor(view: ClusterView, at: Located): void {
  const where = describeObject(at);
  const path = view.processPath(at);
  const namespaces: string[] = at.doc.spec?.namespaceSelector?.matchNames ?? [at.doc.metadata.namespace];
  const services = namespaces.flatMap((ns) => view.inNamespace('Service', ns)).filter((s) => selects(at.doc.spec?.selector, s.doc.metadata.labels));
  if (services.length !== 1) {
    const found = services.length ? `${services.length} (${quoted(services.map((s) => s.doc.metadata.name))})` : 'none';
    view.report(at, 'FC-REF-008', path, `expected ${where} to select exactly one rendered Service by its labels, got ${found}; select the process Service's labels`);
    return;
  }
  const ports: string[] = (services[0].doc.spec?.ports ?? []).map((p: { name?: string }) => p.name);
  for (const endpoint of at.doc.spec?.endpoints ?? []) {
    if (!ports.includes(endpoint?.port)) {
      view.report(at, 'FC-REF-008', path, `expected endpoint port '${endpoint?.port}' of ${where} to be a port name of Service ${services[0].doc.metadata.name} (${quoted(ports)}), got none; name a port the Service exposes`);
    }
  }
}

function checkPodMonitor(view: ClusterView, at: Located): void {
  const where = describeObject(at);
  const namespaces: string[] = at.doc.spec?.namespaceSelector?.matchNames ?? [at.doc.metadata.namespace];
  const deployments = namespaces.flatMap((ns) => view.inNamespace('Deployment', ns)).filter((d) => selects(at.doc.spec?.selector, podTemplate(d.doc)?.metadata.labels));
  const processes = [...new Set(deployments.map((d) => podTemplate(d.doc)?.metadata.labels?.['app.kubernetes.io/component']))];
  if (processes.length !== 1) {
    const found = processes.length ? `${processes.length} (${quoted(processes.map(String).sort())})` : 'none';
    view.report(at, 'FC-REF-008', view.processPath(at), `expected ${where} to select the pods of exactly one process, got ${found}; select by app.kubernetes.io/name and app.kubernetes.io/component`);
  }
}
