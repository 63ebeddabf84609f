import { Construct } from 'constructs';
import type { ResolvedService } from '../values/model';
import { Kube } from './k8s';
import { Manifest } from './manifest';
import { waiverAnnotations } from './metadata';

/** The service's namespace: Pod Security `restricted` enforced, sidecar injection on. */
export class ServiceNamespace extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService) {
    super(scope, id);
    new Manifest(this, 'Resource', Kube.Namespace, {
      metadata: {
        name: service.namespace,
        labels: { ...service.namespaceLabels },
        annotations: waiverAnnotations(service),
      },
    });
  }
}
