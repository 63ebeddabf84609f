import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { ResolvedService } from '../values/model';
import { ProcessDisruptionBudget } from './availability';
import { ServiceIdentity } from './identity';
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
    }
    new ServiceSecurity(this, 'security', service);
    for (const route of service.traffic.routes) new ExternalRoute(this, `route-${route.name}`, service, route);
  }
}

/**
 * Renders one service to plain manifest objects. One App per chart: cdk8s resolves the whole App
 * for every chart it serializes, so sharing an App across services grows quadratically.
 * Each ApiObject is serialized directly: `chart.toJson()` would also run construct validations
 * and sort the App's dependency graph for every chart (~4% of a 1000-service synth), and
 * fleetchart's constructs declare neither; orderDocuments orders the objects anyway.
 */
export function renderService(service: ResolvedService): Record<string, unknown>[] {
  const app = new App({ outdir: '/nonexistent' });
  const chart = new ServiceChart(app, service.name, service);
  return chart.node
    .findAll()
    .filter((c): c is ApiObject => ApiObject.isApiObject(c))
    .map((o) => o.toJson());
}
