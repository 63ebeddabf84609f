import { Construct } from 'constructs';
import type { ResolvedService } from '../values/model';
import { k8s } from './k8s';
import { waiverAnnotations } from './metadata';

/** The service's namespace: Pod Security `restricted` enforced, sidecar injection on. */
export class ServiceNamespace extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService) {
    super(scope, id);
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: service.namespace,
        labels: { ...service.namespaceLabels },
        annotations: waiverAnnotations(service),
      },
    });
  }
}
