import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { ResolvedService } from '../values/model';
import { LIBRARY_VERSION, LIBRARY_VERSION_ANNOTATION } from '../version';
import { ProcessDisruptionBudget } from './availability';
import { ServiceIdentity } from './identity';
import { Manifest, cdk8sJson } from './manifest';
import { ProcessMonitoring, ServiceAlerts, ServiceDashboard } from './monitoring';
import { ServiceNamespace } from './namespace';
import { ProcessService } from './network';
import { ServiceSecurity } from './security';
import { ExternalRoute, ProcessTraffic } from './traffic';
import { ProcessWorkload } from './workload';

/** All objects of one service on one cluster. Composes one construct per concern. */
export class ServiceChart extends Chart {
  constructor(scope: Construct, id: string, service: ResolvedService) {
    super(scope, id, { disableResourceNameHashes: true });
    new ServiceNamespace(this, 'namespace', service);
    new ServiceIdentity(this, 'identity', service);
    for (const process of service.processes) {
      const scope = new Construct(this, process.name);
      new ProcessService(scope, 'service', service, process);
      new ProcessWorkload(scope, 'workload', service, process);
      new ProcessDisruptionBudget(scope, 'availability', service, process);
      new ProcessTraffic(scope, 'traffic', service, process);
      new ProcessMonitoring(scope, 'monitoring', service, process);
    }
    new ServiceSecurity(this, 'security', service);
    for (const route of service.traffic.routes) new ExternalRoute(this, `route-${route.name}`, service, route);
    new ServiceAlerts(this, 'alerts', service);
    new ServiceDashboard(this, 'dashboard', service);
  }
}

/**
 * Renders one service to plain manifest objects. One App per chart (cdk8s's own serialization
 * resolves a whole App per chart, so an App shared across services would grow quadratically).
 * Each object is serialized directly, in construct-tree order (pre-order, children in the order
 * they were added; lib/manifest.ts `orderDocuments` then fixes the order in the file): a Manifest
 * writes its typed props through the generated mapping without cdk8s's resolution (see
 * ./manifest.ts); a plain cdk8s ApiObject, should a construct add one, through its own toJson().
 * `chart.toJson()` would also run construct validations and sort the App's dependency graph for
 * every chart, and fleetchart's constructs declare neither.
 */
export function renderService(service: ResolvedService): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const c of serviceChart(service).node.findAll()) {
    if (Manifest.isManifest(c)) out.push(withLibraryVersion(c.toJson()));
    else if (ApiObject.isApiObject(c)) out.push(withLibraryVersion(c.toJson()));
  }
  return out;
}

/** Stamps the object's own metadata (not a pod template: see lib/version.ts) with the library version. */
export function withLibraryVersion(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = (object.metadata ?? {}) as { annotations?: Record<string, string> };
  object.metadata = { ...metadata, annotations: { ...metadata.annotations, [LIBRARY_VERSION_ANNOTATION]: LIBRARY_VERSION } };
  return object;
}

/** The service's chart in an App of its own, constructs built, nothing serialized yet. */
export function serviceChart(service: ResolvedService): ServiceChart {
  return new ServiceChart(new App({ outdir: '/nonexistent' }), service.name, service);
}

/**
 * Every object of the service twice: as renderService writes it, and as cdk8s's own
 * `ApiObject.toJson()` renders the same props through the generated class. For
 * test/manifest-equivalence.test.ts, so no construct can drift from what cdk8s would write.
 */
export function renderServiceBothWays(service: ResolvedService): { path: string; manifest: Record<string, unknown>; cdk8s: Record<string, unknown> }[] {
  const manifests = serviceChart(service).node.findAll().filter((c): c is Manifest => Manifest.isManifest(c));
  const rendered = manifests.map((m) => ({ path: m.node.path, manifest: m.toJson() }));
  return rendered.map((r, i) => ({ ...r, cdk8s: cdk8sJson(manifests[i]) }));
}
