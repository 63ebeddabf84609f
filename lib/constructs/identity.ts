import { Construct } from 'constructs';
import type { ResolvedService } from '../values/model';
import { Kube } from './k8s';
import { Manifest } from './manifest';

/** The service's ServiceAccount, carrying the cloud workload identity annotations. */
export class ServiceIdentity extends Construct {
  /** Name the pods run as. */
  readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, service: ResolvedService) {
    super(scope, id);
    const account = service.serviceAccount;
    this.serviceAccountName = account.name;
    new Manifest(this, 'Resource', Kube.ServiceAccount, {
      metadata: {
        name: account.name,
        namespace: service.namespace,
        labels: { ...service.labels },
        annotations: Object.keys(account.annotations).length ? { ...account.annotations } : undefined,
      },
      automountServiceAccountToken: account.automountToken,
    });
  }
}
