import { Construct } from 'constructs';
import type { ResolvedProcess, ResolvedService } from '../values/model';
import { k8s, Kube } from './k8s';
import { Manifest } from './manifest';

/** The ClusterIP Service of a serving process, selecting all its tracks. */
export class ProcessService extends Construct {
  constructor(scope: Construct, id: string, service: ResolvedService, process: ResolvedProcess) {
    super(scope, id);
    if (!process.serving) return;
    new Manifest(this, 'Resource', Kube.Service, {
      metadata: { name: process.fullName, namespace: service.namespace, labels: { ...process.labels } },
      spec: {
        type: 'ClusterIP',
        selector: { ...process.selector },
        ports: process.ports.map((port) => ({
          name: port.name,
          port: port.port,
          targetPort: k8s.IntOrString.fromString(port.name),
          protocol: 'TCP',
          // Istio reads appProtocol to pick the protocol instead of sniffing.
          appProtocol: port.protocol,
        })),
      },
    });
  }
}
