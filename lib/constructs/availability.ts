import { Construct } from 'constructs';
import type { ResolvedProcess, ResolvedService } from '../values/model';
import { k8s, Kube } from './k8s';
import { Manifest } from './manifest';

/**
 * A PodDisruptionBudget for one process, across its tracks. `maxUnavailable` rather than
 * `minAvailable`, and unhealthy pods are always evictable, so a budget never blocks a drain.
 */
export class ProcessDisruptionBudget extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService, process: ResolvedProcess) {
    super(scope, id);
    if (!process.disruption) return;
    new Manifest(this, 'Resource', Kube.PodDisruptionBudget, {
      metadata: { name: process.fullName, namespace: service.namespace, labels: { ...process.labels } },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(process.disruption.maxUnavailable),
        selector: { matchLabels: { ...process.selector } },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }
}
