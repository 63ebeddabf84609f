/**
 * The typed Kubernetes 1.27 API. cdk8s-plus-27 ships it; it is unmaintained upstream, so every
 * use of it goes through this file and a move to a newer cdk8s-plus is one edit here.
 *
 * fleetchart uses the generated L1 types rather than cdk8s-plus L2 constructs: every L2 default
 * (hash-based selectors, required anti-affinity from `spread`, 1000m/2Gi resources, startup
 * probes on every port, `imagePullPolicy: Always`) would need overriding, and topology spread
 * constraints and PodDisruptionBudgets are not in the L2 API at all.
 *
 * Constructs render objects as `new Manifest(scope, id, Kube.Deployment, props)` (./manifest.ts):
 * the props are the generated `k8s.Kube<Kind>Props`, written by the generated `toJson_` mapping.
 */
import { k8s } from 'cdk8s-plus-27';
import { manifestKind } from './manifest';

export { k8s };

/** The Kubernetes kinds fleetchart renders. */
export const Kube = {
  Namespace: manifestKind(k8s.KubeNamespace, k8s.toJson_KubeNamespaceProps),
  ServiceAccount: manifestKind(k8s.KubeServiceAccount, k8s.toJson_KubeServiceAccountProps),
  Service: manifestKind(k8s.KubeService, k8s.toJson_KubeServiceProps),
  Deployment: manifestKind(k8s.KubeDeployment, k8s.toJson_KubeDeploymentProps),
  PodDisruptionBudget: manifestKind(k8s.KubePodDisruptionBudget, k8s.toJson_KubePodDisruptionBudgetProps),
  NetworkPolicy: manifestKind(k8s.KubeNetworkPolicy, k8s.toJson_KubeNetworkPolicyProps),
  ConfigMap: manifestKind(k8s.KubeConfigMap, k8s.toJson_KubeConfigMapProps),
};
